// Badge attributes in template values: `{{user.memberBalance}}` takes the user's attribute (shared by all of the
// user's passes), `{{pass.ticketNumber}}` the pass's own. A template value holding such references becomes, on each
// Badge pass, the value with the references filled in (missing attributes read as empty).
import type { TemplateDesign } from "../../domain/field-model.js";
import type { FieldSpec } from "../../domain/field-spec.js";

export type Attributes = Record<string, string | number | boolean>;

const REFERENCE = /\{\{\s*(user|pass)\.([A-Za-z0-9_.-]+)\s*\}\}/g;

export function fill(template: string, user: Attributes, pass: Attributes): string {
  return template.replace(REFERENCE, (_m, scope: string, name: string) => {
    const value = (scope === "user" ? user : pass)[name];
    return value === undefined ? "" : String(value);
  });
}

/** The pass values (headers and fields) a template's attribute references resolve to. */
export function attributeValues(design: TemplateDesign, user: Attributes, pass: Attributes) {
  const resolve = (entries: Record<string, FieldSpec>) => {
    const out: Record<string, { value: string }> = {};
    for (const [name, spec] of Object.entries(entries)) {
      if (typeof spec.value === "string" && spec.value.includes("{{"))
        out[name] = { value: fill(spec.value, user, pass) };
    }
    return out;
  };
  return { headers: resolve(design.headers), fields: resolve(design.fields) };
}
