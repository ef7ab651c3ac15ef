// Project settings that give a project's templates and passes their default barcode: a header the template (or
// pass) leaves empty takes the project's value.
import type { FieldSpec } from "./field-spec.js";
import { isObject } from "./values.js";

/** Each setting, and the header it fills. */
const PROJECT_BARCODE_SETTINGS: [setting: string, header: string][] = [
  ["barcode_type", "barcode_type"],
  ["barcode_encoding", "barcode_encoding"],
  ["barcode_label", "barcode_label"],
  ["barcode_alt_text", "barcode_alt_text"],
  ["barcode_default_value", "barcode_value"],
];

/** The headers with the project's barcode defaults where they have no value (the same object when none apply). */
export function withProjectBarcode(headers: Record<string, FieldSpec>, settings: unknown): Record<string, FieldSpec> {
  if (!isObject(settings)) return headers;
  let result = headers;
  for (const [setting, header] of PROJECT_BARCODE_SETTINGS) {
    const value = settings[setting];
    if (!((typeof value === "string" && value !== "") || typeof value === "number")) continue;
    const given = result[header]?.value;
    if (given === undefined || given === null || given === "") {
      result = { ...result, [header]: { ...result[header], value: String(value) } };
    }
  }
  return result;
}
