// The unit of the field model, below everything that reads or defaults fields.

/** A header or field as the Airship API describes it; unknown keys are kept and returned. */
export type FieldSpec = Record<string, unknown> & {
  value?: unknown;
  label?: unknown;
  changeMessage?: unknown;
  fieldType?: unknown;
  formatType?: unknown;
  required?: unknown;
};
