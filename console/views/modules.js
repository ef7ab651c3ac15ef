// A Google template's text modules in the editor: each a name with its header and body (the card shows them two
// to a row, the details list them), added and removed freely. Other modules go back as they came.
import { field, uid } from "../dom.js";
import { editableList } from "./common.js";

/** The "Text modules" fieldset over `modules` (textModulesData); `changed` is called on every edit. */
export function textModulesSection(modules, changed) {
  const list = editableList({
    legend: "Text modules",
    addLabel: "Add text module",
    changed,
    describe: (initial) => ({
      title: initial ? `Module ${initial[0]}` : "New module",
      removeLabel: initial ? `Remove module ${initial[0]}` : "Remove module",
    }),
    make: ([name, spec] = ["", {}]) => {
      const id = uid("mod");
      const entry = {
        name: field("Module name", { name: `${id}-name`, value: name, required: true }),
        header: field("Header", { name: `${id}-header`, value: spec.header ?? "" }),
        body: field("Body", { name: `${id}-body`, value: spec.body ?? "" }),
        spec,
      };
      entry.rows = [entry.name.row, entry.header.row, entry.body.row];
      return entry;
    },
  });
  for (const entry of Object.entries(modules ?? {})) list.add(entry);

  /** textModulesData as the form holds it (a new module goes on its own row). */
  const value = () => {
    const out = {};
    list.entries.forEach((e, i) => {
      const name = e.name.input.value.trim();
      if (!name) return;
      out[name] = { row: i, col: 0, ...e.spec, header: e.header.input.value, body: e.body.input.value };
    });
    return out;
  };
  /** The body control of each module, by name: where the API's messages about it are shown. */
  const controls = () => list.entries.map((e) => [e.name.input.value.trim(), e.body]);
  return { section: list.section, value, controls };
}
