// A template: its preview, its passes (searched by external id, tag or status, a page at a time), and a form for
// a new pass.
import { ApiError, api, query } from "../api.js";
import { field, fill, h, select, when } from "../dom.js";
import { crumbs, guarded, pager, previewPanel, storedPreview, table } from "./common.js";

const STATUSES = [
  ["", "Any status"],
  ["installed", "Installed"],
  ["uninstalled", "Uninstalled"],
  ["been_installed", "Ever installed"],
  ["not_been_installed", "Never installed"],
];

export async function templatePage(ctx, templateId, params) {
  const template = await api("GET", `/v1/template/${templateId}`);
  const header = template.templateHeader;
  const results = h("div", { id: "pass-results" });

  const externalId = field("External id", { name: "externalId", value: params.get("externalId") ?? "" });
  const tag = field("Tag", { name: "tag", value: params.get("tag") ?? "" });
  const status = field("Status", {}, select(STATUSES, params.get("status") ?? "", { name: "status" }));

  const passRows = (passes) =>
    passes.map((p) => [
      h("a", { href: `#/passes/${p.id}` }, p.externalId ?? `Pass ${p.id}`),
      p.status.replaceAll("_", " "),
      p.templateId === templateId ? header.name : `template ${p.templateId}`,
      when(p.updatedAt),
    ]);
  const headings = ["Pass", "Status", "Template", "Updated"];

  const search = async (page = 1) => {
    const ext = externalId.input.value.trim();
    const tagName = tag.input.value.trim();
    try {
      if (ext) {
        const pass = await api("GET", `/v1/pass/template/${templateId}/id/${encodeURIComponent(ext)}`);
        fill(results, table("Passes found", headings, passRows([pass])));
        return;
      }
      const result = tagName
        ? await api("GET", `/v1/tag/${encodeURIComponent(tagName)}/passes${query({ page, pageSize: 20 })}`)
        : await api(
            "GET",
            `/v1/pass${query({ templateId, status: status.input.value, page, pageSize: 20, order: "id", direction: "DESC" })}`,
          );
      fill(
        results,
        tagName ? h("p", { class: "hint" }, `Passes of the account tagged ${tagName}:`) : null,
        table("Passes", headings, passRows(result.passes), "No passes match."),
        pager(result, search),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) fill(results, h("p", { class: "empty" }, error.message));
      else ctx.failure(error);
    }
  };

  const searchForm = h(
    "form",
    {
      class: "search",
      role: "search",
      "aria-label": "Search passes",
      onsubmit: (event) => {
        event.preventDefault();
        search(1);
      },
    },
    externalId.row,
    tag.row,
    status.row,
    h("button", { type: "submit" }, "Search"),
  );

  const preview = previewPanel((side) => storedPreview(`/v1/template/${templateId}`, side), [header.vendor]);
  preview.refresh();
  if (ctx.can("wpas")) await search(1);

  return h(
    "section",
    {},
    crumbs(["#/projects", "Projects"], [`#/projects/${header.projectId}`, header.projectName]),
    h("h1", { tabindex: "-1" }, header.name || `Template ${templateId}`),
    h("p", {}, `${header.vendor} · ${header.type}${header.description ? ` · ${header.description}` : ""}`),
    h(
      "div",
      { class: "actions" },
      ctx.can("wtmp") ? h("a", { class: "button", href: `#/templates/${templateId}/edit` }, "Edit template") : null,
    ),
    h(
      "div",
      { class: "columns" },
      h(
        "div",
        {},
        h("h2", {}, "Passes"),
        ctx.can("wpas") ? [searchForm, results] : h("p", {}, "This session may not read passes (scope wpas)."),
        ctx.canWrite("wpas") ? newPassForm(ctx, templateId, template.fieldsModel) : null,
      ),
      preview.panel,
    ),
  );
}

function newPassForm(ctx, templateId, model) {
  const externalId = field("External id (optional)", { name: "newExternalId" });
  const values = Object.entries(model.fields ?? {}).map(([name, spec]) => ({
    name,
    f: field(spec.label ? `${spec.label} (${name})` : name, { name: `value-${name}`, value: spec.value ?? "" }),
  }));
  const create = guarded(ctx, async () => {
    const fields = {};
    for (const { name, f } of values) fields[name] = { value: f.input.value };
    const ext = externalId.input.value.trim();
    const path = ext ? `/v1/pass/${templateId}/id/${encodeURIComponent(ext)}` : `/v1/pass/${templateId}`;
    const pass = await api("POST", path, { fields });
    ctx.announce(`Pass ${pass.id} created.`);
    ctx.navigate(`#/passes/${pass.id}`);
  });
  return h(
    "form",
    { class: "card", onsubmit: create, "aria-labelledby": "new-pass" },
    h("h2", { id: "new-pass" }, "New pass"),
    externalId.row,
    values.map((v) => v.f.row),
    h("button", { type: "submit" }, "Create pass"),
  );
}
