// A pass: its preview, fields (editable: PUT /v1/pass/{id}), tags, status, the devices it is on, its history
// from the pass-event log, a notification to its holders, and how to hand it out (.pkpass or Google save link,
// its public link, an adaptive link with a QR code).
import { api, query } from "../api.js";
import { field, fill, h, when } from "../dom.js";
import { card, crumbs, guarded, pager, previewPanel, storedPreview, table } from "./common.js";

const qr = (text, label) =>
  h("img", {
    class: "qr",
    src: `/console/qr.svg${query({ text })}`,
    alt: `QR code of ${label}`,
    width: 160,
    height: 160,
  });

export async function passPage(ctx, passId) {
  const pass = await api("GET", `/v1/pass/${passId}`);
  const template = ctx.can("wtmp") ? await api("GET", `/v1/template/${pass.templateId}`).catch(() => null) : null;
  const vendor = template?.templateHeader.vendor ?? (pass.passFields ? "Apple" : "Google");
  const writable = ctx.canWrite("wpas");

  const preview = previewPanel((side) => storedPreview(`/v1/pass/${passId}`, side), [vendor]);
  preview.refresh();
  const history = historyList(passId);

  // Fields: each value editable; only what changed is sent.
  const inputs = Object.entries(pass.fields ?? {}).map(([name, spec]) => ({
    name,
    before: String(spec.value ?? ""),
    f: field(spec.label ? `${spec.label} (${name})` : name, {
      name: `field-${name}`,
      value: spec.value ?? "",
      readonly: !writable,
    }),
  }));
  const saveFields = guarded(ctx, async () => {
    const fields = {};
    for (const i of inputs) if (i.f.input.value !== i.before) fields[i.name] = { value: i.f.input.value };
    if (Object.keys(fields).length === 0) return ctx.announce("Nothing changed.");
    await api("PUT", `/v1/pass/${passId}`, { fields });
    for (const i of inputs) i.before = i.f.input.value;
    ctx.announce("Pass saved: its holders' wallets are being updated.");
    preview.refresh();
    history.show();
  });
  const fieldsForm = h(
    "form",
    { class: "card", onsubmit: saveFields, "aria-labelledby": "fields-heading" },
    h("h2", { id: "fields-heading" }, "Fields"),
    inputs.length ? inputs.map((i) => i.f.row) : h("p", { class: "empty" }, "This pass has no fields."),
    writable && inputs.length ? h("button", { type: "submit" }, "Save fields") : null,
  );

  const message = field("Message", { name: "message", maxlength: 500, required: true });
  const label = field("Label", { name: "label", placeholder: "Last Notification" });
  const notify = guarded(ctx, async () => {
    const body = { value: message.input.value, ...(label.input.value ? { label: label.input.value } : {}) };
    await api("POST", `/v1/pass/${passId}/notify`, body);
    ctx.announce("Notification sent.");
    message.input.value = "";
    history.show();
  });
  const notifyForm = h(
    "form",
    { class: "card", "aria-labelledby": "notify-heading", onsubmit: notify },
    h("h2", { id: "notify-heading" }, "Send a notification"),
    message.row,
    label.row,
    h("button", { type: "submit" }, "Send notification"),
  );

  const tags = tagsCard(ctx, passId, writable);
  const devices = devicesList(passId);
  await Promise.all([tags.show(), devices.show(1), history.show()]);

  const header = template?.templateHeader;
  return h(
    "section",
    {},
    crumbs(
      ["#/projects", "Projects"],
      header && [`#/projects/${header.projectId}`, header.projectName],
      header && [`#/templates/${pass.templateId}`, header.name],
    ),
    h("h1", { tabindex: "-1" }, pass.externalId ? `Pass ${pass.externalId}` : `Pass ${pass.id}`),
    h(
      "p",
      {},
      `Status: ${pass.status.replaceAll("_", " ")} · serial ${pass.serialNumber} · updated ${when(pass.updatedAt)}`,
    ),
    h(
      "div",
      { class: "columns" },
      h(
        "div",
        {},
        fieldsForm,
        tags.card,
        writable && ctx.can("wnot") ? notifyForm : null,
        handOutCard(ctx, pass, vendor, () =>
          Object.fromEntries(inputs.map((i) => [i.name, { value: i.f.input.value }])),
        ),
        card("devices-heading", "Devices", devices.box),
        card("history-heading", "History", history.box),
      ),
      preview.panel,
    ),
  );
}

/** The pass's tags, each removable, and a form for one more. */
function tagsCard(ctx, passId, writable) {
  const list = h("ul", { class: "tags" });
  const show = async () => {
    const { tags } = await api("GET", `/v1/pass/${passId}/tags`);
    const remove = (name) =>
      guarded(ctx, async () => {
        await api("DELETE", `/v1/tag/${encodeURIComponent(name)}/pass/${passId}`);
        await show();
      });
    fill(
      list,
      tags.length === 0 ? h("li", { class: "empty" }, "No tags.") : null,
      tags.map(({ name }) =>
        h(
          "li",
          {},
          name,
          writable
            ? h("button", { type: "button", class: "secondary small", onclick: remove(name) }, `Remove tag ${name}`)
            : null,
        ),
      ),
    );
  };
  const newTag = field("New tag", { name: "tag", maxlength: 255 });
  const add = guarded(ctx, async () => {
    const tag = newTag.input.value.trim();
    if (!tag) return;
    await api("PUT", `/v1/pass/${passId}/tags`, { tags: [tag] });
    newTag.input.value = "";
    await show();
  });
  const form = writable ? h("form", { onsubmit: add }, newTag.row, h("button", { type: "submit" }, "Add tag")) : null;
  return { card: card("tags-heading", "Tags", list, form), show };
}

/** Where the pass is installed, a page at a time. */
function devicesList(passId) {
  const box = h("div", {});
  const show = async (page) => {
    const result = await api("GET", `/v1/pass/${passId}/installations${query({ page, pageSize: 20 })}`);
    const rows = result.installations.map((i) => [i.platform, i.deviceLibraryIdentifier ?? "—", when(i.installedAt)]);
    fill(
      box,
      table("Devices", ["Platform", "Device", "Since"], rows, "Not installed on any device."),
      result.count > 20 ? pager(result, show) : null,
    );
  };
  return { box, show };
}

/** The pass's history from the pass-event log, newest first; "Older" pages on. */
function historyList(passId) {
  const box = h("div", {});
  const show = async (before) => {
    const result = await api("GET", `/v1/pass/${passId}/history${query({ limit: 20, before })}`);
    const rows = result.events.map((e) => [
      e.kind,
      when(e.at),
      e.version === undefined ? "" : String(e.version),
      [e.platform, e.deviceLibraryIdentifier].filter(Boolean).join(" "),
    ]);
    fill(
      box,
      table("History", ["What", "When", "Version", "Where"], rows, "No history kept."),
      result.next
        ? h("button", { type: "button", class: "secondary", onclick: () => show(result.next) }, "Older")
        : null,
    );
  };
  return { box, show };
}

/** Handing the pass out: its file or save link, its public link, or a new adaptive link like it, with QR codes. */
function handOutCard(ctx, pass, vendor, values) {
  const linkResult = h("div", { "aria-live": "polite" });
  const makeLink = guarded(ctx, async () => {
    const link = await api("POST", "/v1/links/adaptive", {
      [vendor === "Apple" ? "iosTemplateId" : "androidTemplateId"]: pass.templateId,
      payload: { fields: values() },
    });
    fill(
      linkResult,
      h("p", {}, "Adaptive link: ", h("a", { href: link.url }, link.url)),
      qr(link.url, "the adaptive link"),
    );
  });
  return card(
    "handout-heading",
    "Hand it out",
    h(
      "p",
      {},
      h(
        "a",
        { class: "button", href: `/v1/pass/${pass.id}/download`, download: vendor === "Apple" ? "" : null },
        vendor === "Apple" ? "Download .pkpass" : "Open the Google Wallet save link",
      ),
    ),
    pass.publicUrl
      ? [
          h("p", {}, "Public link: ", h("a", { href: pass.publicUrl.path }, pass.publicUrl.path)),
          qr(pass.publicUrl.path, "the public link"),
        ]
      : null,
    ctx.canWrite("wadl")
      ? h("button", { type: "button", class: "secondary", onclick: makeLink }, "Make an adaptive link like this pass")
      : null,
    linkResult,
  );
}
