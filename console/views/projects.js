// The account's projects, and one project's templates.
import { api, query } from "../api.js";
import { fill, h, when } from "../dom.js";
import { crumbs, pager, table } from "./common.js";

export async function projectsPage(ctx) {
  const list = h("div", {});
  const show = async (page) => {
    const result = await api("GET", `/v1/project${query({ page, pageSize: 20, order: "id", direction: "DESC" })}`);
    fill(
      list,
      table(
        "Projects",
        ["Project", "Type", "Templates", "Updated"],
        result.projects.map((p) => [
          h("a", { href: `#/projects/${p.id}` }, p.name || `Project ${p.id}`),
          p.projectType,
          String(p.templates.length),
          when(p.updatedAt),
        ]),
        "No projects yet: create one with the API (POST /v1/project).",
      ),
      pager(result, show),
    );
  };
  if (ctx.session.projectId !== undefined) {
    // A key limited to one project reaches only it (the account-wide list is refused).
    return projectPage(ctx, ctx.session.projectId);
  }
  await show(1);
  return h("section", {}, h("h1", { tabindex: "-1" }, "Projects"), list);
}

export async function projectPage(ctx, projectId) {
  const project = await api("GET", `/v1/project/${projectId}`);
  const list = h("div", {});
  const show = async (page) => {
    const result = await api(
      "GET",
      `/v1/template/headers${query({ projectId, page, pageSize: 20, order: "id", direction: "DESC" })}`,
    );
    fill(
      list,
      table(
        `Templates of ${project.name}`,
        ["Template", "Wallet", "Type", "Updated"],
        result.templateHeaders.map((t) => [
          h("a", { href: `#/templates/${t.id}` }, t.name || `Template ${t.id}`),
          t.vendor,
          t.type,
          when(t.updatedAt),
        ]),
        "No templates yet.",
      ),
      pager(result, show),
    );
  };
  if (ctx.can("wtmp")) await show(1);
  return h(
    "section",
    {},
    crumbs(["#/projects", "Projects"]),
    h("h1", { tabindex: "-1" }, project.name || `Project ${project.id}`),
    h("p", {}, project.description),
    h(
      "div",
      { class: "actions" },
      ctx.canWrite("wtmp")
        ? h("a", { class: "button", href: `#/templates/new?project=${project.id}` }, "New template")
        : null,
      h("a", { class: "button secondary", href: `#/projects/${project.id}/operations` }, "Operations"),
    ),
    ctx.can("wtmp") ? list : h("p", {}, "This session may not read templates (scope wtmp)."),
  );
}
