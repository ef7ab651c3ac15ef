// Building the page without innerHTML: every text goes in as a text node, so nothing a pass or template holds is
// ever read as markup.

/** An element: h("button", { class: "x", onclick: fn, "aria-label": "…" }, "text", child, [more]). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (name === "class") el.className = value;
    else if (name === "value") el.value = value;
    else if (name === "checked") el.checked = Boolean(value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces an element's content. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let ids = 0;
/** A fresh id for pairing a label with its control. */
export const uid = (prefix = "c") => `${prefix}-${++ids}`;

/** A labelled input (or select/textarea when `control` is given); answers { row, input }. */
export function field(label, attrs = {}, control) {
  const id = attrs.id ?? uid("f");
  const input = control ?? h("input", { type: "text", ...attrs, id });
  if (control) control.id = id;
  const hint = attrs.hint ? h("p", { class: "hint", id: `${id}-hint` }, attrs.hint) : null;
  if (hint) input.setAttribute("aria-describedby", hint.id);
  input.removeAttribute("hint");
  const error = h("p", { class: "field-error", id: `${id}-error`, hidden: true });
  const row = h("div", { class: "field" }, h("label", { for: id }, label), input, hint, error);
  return { row, input, error };
}

/** Shows (or clears, with no message) the error of a field made by field(). */
export function showFieldError(f, message) {
  if (message) {
    f.error.textContent = message;
    f.error.hidden = false;
    f.input.setAttribute("aria-invalid", "true");
    const described = new Set((f.input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean));
    described.add(f.error.id);
    f.input.setAttribute("aria-describedby", [...described].join(" "));
  } else {
    f.error.textContent = "";
    f.error.hidden = true;
    f.input.removeAttribute("aria-invalid");
  }
}

/** A select of [value, text] pairs. */
export function select(options, selected, attrs = {}) {
  return h(
    "select",
    attrs,
    options.map(([value, text]) => h("option", { value, selected: value === selected }, text)),
  );
}

/** A date and time as the reader's locale writes it. */
export const when = (iso) => (iso ? new Date(iso).toLocaleString() : "");
