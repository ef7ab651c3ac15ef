// passFields: the flat name → field map of a pass that Airship's pass create responses carry (headers and fields
// together, each with its fieldType, value, label, changeMessage and required flag).
import type { FieldSpec } from "./field-spec.js";

const IMAGE = /_image$/;
const BARCODE = /^barcode/i;

export interface PassField {
  fieldType: string;
  value: unknown;
  label: unknown;
  changeMessage: unknown;
  required: boolean;
  formatType?: unknown;
  hideEmpty?: unknown;
}

function entry(spec: FieldSpec, fieldType: string): PassField {
  return {
    fieldType,
    value: spec.value ?? "",
    label: spec.label ?? "",
    changeMessage: spec.changeMessage ?? null,
    required: spec.required === true || spec.required === "true",
    ...(spec.formatType === undefined ? {} : { formatType: spec.formatType }),
    ...(spec.hideEmpty === undefined ? {} : { hideEmpty: spec.hideEmpty }),
  };
}

/** The passFields of a pass's merged view: headers as TOP_LEVEL, image or barcode; fields by their fieldType. */
export function passFieldsOf(view: {
  headers: Record<string, FieldSpec>;
  fields: Record<string, FieldSpec>;
}): Record<string, PassField> {
  const out: Record<string, PassField> = {};
  for (const [name, spec] of Object.entries(view.headers)) {
    out[name] = entry(spec, IMAGE.test(name) ? "image" : BARCODE.test(name) ? "barcode" : "TOP_LEVEL");
  }
  for (const [name, spec] of Object.entries(view.fields)) {
    const type = typeof spec.fieldType === "string" && spec.fieldType !== "" ? spec.fieldType : "back";
    // Apple field types in capitals, as the reference shows them; Google module names as they are.
    out[name] = entry(spec, /^(header|primary|secondary|auxiliary|back)$/i.test(type) ? type.toUpperCase() : type);
  }
  return out;
}
