// Pieces the views share: paging controls, tables, and the preview panel.
import { api, imageOf } from "../api.js";
import { fill, h } from "../dom.js";

/** Previous/next buttons for an Airship-style page ({count, pagination: {page, pageSize}}). */
export function pager(result, go) {
  const { page, pageSize } = result.pagination;
  const pages = Math.max(1, Math.ceil(result.count / pageSize));
  return h(
    "nav",
    { class: "pager", "aria-label": "Pages" },
    h("button", { type: "button", class: "secondary", disabled: page <= 1, onclick: () => go(page - 1) }, "Previous"),
    h("span", {}, `Page ${page} of ${pages} (${result.count} in all)`),
    h("button", { type: "button", class: "secondary", disabled: page >= pages, onclick: () => go(page + 1) }, "Next"),
  );
}

/** A table with a caption, column headings and rows of cells (strings or nodes). */
export function table(caption, headings, rows, empty = "None yet.") {
  if (rows.length === 0) return h("p", { class: "empty" }, empty);
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        headings.map((text) => h("th", { scope: "col" }, text)),
      ),
    ),
    h(
      "tbody",
      {},
      rows.map((cells) =>
        h(
          "tr",
          {},
          cells.map((cell) => h("td", {}, cell)),
        ),
      ),
    ),
  );
}

/**
 * A preview panel: front and back, Apple and Google (when `vendors` offers both), drawn by the server.
 * `source(side, vendor)` answers the image's object URL. Answers { panel, refresh }.
 */
export function previewPanel(source, vendors) {
  let side = "front";
  let vendor = vendors[0];
  const image = h("img", { class: "preview", alt: "" });
  const problem = h("p", { class: "field-error", hidden: true });
  const caption = h("p", { class: "hint", id: "preview-caption" });
  let shown = null;
  let counter = 0;
  const refresh = async () => {
    const mine = ++counter;
    try {
      const url = await source(side, vendor);
      if (mine !== counter) return URL.revokeObjectURL(url);
      if (shown) URL.revokeObjectURL(shown);
      shown = url;
      image.src = url;
      image.alt = `Preview of the ${side} of the pass in ${vendor === "Apple" ? "Apple Wallet" : "Google Wallet"}`;
      caption.textContent = image.alt;
      problem.hidden = true;
      panel.dataset.state = "ready";
    } catch (error) {
      if (mine !== counter) return;
      problem.textContent = `No preview: ${error.message}`;
      problem.hidden = false;
      panel.dataset.state = "error";
    }
  };
  const toggle = (label, options, current, set) =>
    h(
      "fieldset",
      { class: "toggle" },
      h("legend", {}, label),
      options.map(([value, text]) =>
        h(
          "label",
          {},
          h("input", {
            type: "radio",
            name: `preview-${label}`,
            value,
            checked: value === current,
            onchange: () => {
              set(value);
              refresh();
            },
          }),
          ` ${text}`,
        ),
      ),
    );
  const panel = h(
    "section",
    { class: "preview-panel", "aria-labelledby": "preview-heading" },
    h("h2", { id: "preview-heading" }, "Preview"),
    h(
      "div",
      { class: "toggles" },
      toggle(
        "Side",
        [
          ["front", "Front"],
          ["back", "Back"],
        ],
        side,
        (v) => {
          side = v;
        },
      ),
      vendors.length > 1
        ? toggle(
            "Wallet",
            vendors.map((v) => [v, v === "Apple" ? "Apple Wallet" : "Google Wallet"]),
            vendor,
            (v) => {
              vendor = v;
            },
          )
        : null,
    ),
    image,
    caption,
    problem,
  );
  return { panel, refresh };
}

/** The object URL of a stored pass's or template's preview (GET). */
export const storedPreview = (path, side) => imageOf("GET", `${path}/preview?side=${side}&format=svg`);

/** Loads a page of JSON and re-draws `into` with it (for lists that page or filter in place). */
export async function reload(into, load, draw) {
  const result = await load();
  fill(into, draw(result));
  return result;
}

export { api };

/** A titled card: a section labelled by its heading. */
export const card = (id, title, ...children) =>
  h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...children);

/** The trail above a page's heading: [href, text] pairs (falsy ones left out). */
export const crumbs = (...links) =>
  h(
    "p",
    { class: "crumbs" },
    links.filter(Boolean).map(([href, text]) => [h("a", { href }, text), " / "]),
  );

/** An event handler that runs `fn` (a form's submit is not sent) and shows what the API refused. */
export const guarded = (ctx, fn) => async (event) => {
  if (event?.type === "submit") event.preventDefault();
  try {
    await fn(event);
  } catch (error) {
    ctx.failure(error);
  }
};

/**
 * A fieldset of rows the reader adds and removes (a template's fields, locations, text modules). `make(initial)`
 * answers an entry with its `rows` (labelled controls); `describe(initial)` the row's legend and its remove
 * button's label. Answers { section, entries, add }.
 */
export function editableList({ legend, addLabel, make, describe, changed }) {
  const rows = h("div", { class: "field-rows" });
  const entries = [];
  const add = (initial) => {
    const entry = make(initial);
    const { title, removeLabel } = describe(initial);
    const remove = () => {
      entries.splice(entries.indexOf(entry), 1);
      row.remove();
      changed();
    };
    const row = h(
      "fieldset",
      { class: "field-row" },
      h("legend", {}, title),
      entry.rows,
      h("button", { type: "button", class: "secondary small", onclick: remove }, removeLabel),
    );
    entries.push(entry);
    rows.append(row);
    return entry;
  };
  const addNew = () => {
    add(undefined).rows[0]?.querySelector("input, select")?.focus();
    changed();
  };
  const section = h(
    "fieldset",
    {},
    h("legend", {}, legend),
    rows,
    h("button", { type: "button", class: "secondary", onclick: addNew }, addLabel),
  );
  return { section, entries, add };
}
