// The field model: one internal representation of a template's design and of a pass's own values, which the
// Apple and Google renderers both read. A pass stores only what it overrides (value, label, changeMessage);
// its merged view is the template's headers and fields with those overrides applied, so a template change
// reaches every pass that did not override the changed value.
import { appleKeyProblem, isStructuredHeader } from "./apple-keys.js";
import type { FieldSpec } from "./field-spec.js";
import { googleKeyProblem, isGoogleStructuredHeader } from "./google-keys.js";
import { assertNoProblems, InvalidInput } from "./invalid-input.js";
import { KNOWN_HEADERS } from "./known-headers.js";
import type { Personalization } from "./personalization.js";
import { withProjectBarcode } from "./project-defaults.js";
import { templateTypeName } from "./template-types.js";
import { type Beacon, colorProblem, documentSizeProblem, isObject, parseBeacons, parseIsoDate } from "./values.js";
import { VENDORS, type Vendor, vendorNamed, vendorWithId } from "./vendors.js";

export interface TemplateDesign {
  headers: Record<string, FieldSpec>;
  fields: Record<string, FieldSpec>;
  /** Google module-level properties (hexBackgroundColor, image, …), by module name. */
  modules: Record<string, Record<string, unknown>>;
  beacons: Beacon[];
  expiryDuration?: number;
  personalization?: Personalization;
  /** Image headers resolved to stored images: header name → sha256. */
  images?: Record<string, string>;
}

/**
 * A stored template's design, with the parts an older row may lack filled in; with its project's settings, the
 * barcode headers it leaves empty take the project's defaults.
 */
export function designOf(template: { design: unknown; projectSettings?: unknown }): TemplateDesign {
  const design = (template.design ?? {}) as Partial<TemplateDesign>;
  const result: TemplateDesign = { headers: {}, fields: {}, modules: {}, beacons: [], ...design };
  const headers = withProjectBarcode(result.headers, template.projectSettings);
  return headers === result.headers ? result : { ...result, headers };
}

export interface ParsedTemplate {
  name: string;
  description: string;
  vendor: Vendor;
  type: string;
  design: TemplateDesign;
  /** Locations given in the template body (stored as template locations). */
  locations?: unknown;
}

/** What a pass overrides of its template. */
export interface PassOverrides {
  headers?: Record<string, OverrideEntry>;
  fields?: Record<string, OverrideEntry>;
}
export interface OverrideEntry {
  value?: unknown;
  label?: unknown;
  changeMessage?: unknown;
}

export const GOOGLE_MODULES = [
  "titleModule",
  "infoModuleData",
  "textModulesData",
  "linksModuleData",
  "imageModulesData",
  "pointsModule",
  "messageModule",
  "valueAddedModuleData",
  "notAssigned",
] as const;

export const APPLE_FIELD_TYPES = ["header", "primary", "secondary", "auxiliary", "back", "additionalInfo"] as const;

const MAX_ENTRIES = 500;
const MAX_NAME = 255;
const MAX_VALUE = 10_000;
const MAX_DESCRIPTION = 4000;
const isColorHeader = (name: string) => name.endsWith("_color") || name === "hexBackgroundColor";
const isImageHeader = (name: string) => name.endsWith("_image");
const isDateHeader = (name: string) => name === "expirationDate" || name === "relevantDate";

function vendorOf(body: Record<string, unknown>): Vendor | undefined {
  const v = body.vendor;
  if (typeof v === "string") return vendorNamed(v);
  if (body.vendorId !== undefined) return vendorWithId(Number(body.vendorId));
  return GOOGLE_MODULES.some((m) => m in body) ? "Google" : "Apple";
}

function valueProblem(name: string, value: unknown, where: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  // Apple's structured keys (semantics, relevantDates, …) are headers whose value is an object or array.
  if (where === "header" && isStructuredHeader(name)) return appleKeyProblem(name, value, `${where} "${name}"`);
  if (where === "header" && isGoogleStructuredHeader(name)) return googleKeyProblem(name, value, `${where} "${name}"`);
  if (typeof value === "string" && value.length > MAX_VALUE)
    return `${where} "${name}" value is longer than ${MAX_VALUE}`;
  if (typeof value === "object") return `${where} "${name}" value must be a string, number or boolean`;
  if (isColorHeader(name) && value !== "") {
    const problem = colorProblem(value);
    if (problem) return `${where} "${name}" ${problem}`;
  }
  if (name === "nfc_message" && typeof value === "string" && Buffer.byteLength(value) > 64) {
    return `${where} "${name}" must be at most 64 bytes (Apple's NFC payload limit)`;
  }
  const apple = where === "header" ? appleKeyProblem(name, value, `${where} "${name}"`) : undefined;
  if (apple) return apple;
  if (isDateHeader(name) && value !== "" && parseIsoDate(value) === undefined) {
    return `${where} "${name}" must be an ISO 8601 date-time`;
  }
  if (
    isImageHeader(name) &&
    value !== "" &&
    !(typeof value === "string" && /^(https?:\/\/|data:image\/)/i.test(value))
  ) {
    return `${where} "${name}" must be an http(s) URL or a data:image URI`;
  }
  return undefined;
}

function parseEntries(raw: unknown, where: string, problems: string[]): Record<string, FieldSpec> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) {
    problems.push(`${where} must be an object`);
    return {};
  }
  const entries = Object.entries(raw);
  if (entries.length > MAX_ENTRIES) problems.push(`${where} has more than ${MAX_ENTRIES} entries`);
  const out: Record<string, FieldSpec> = {};
  for (const [name, spec] of entries) {
    if (name.length === 0 || name.length > MAX_NAME) {
      problems.push(`${where} names must have 1 to ${MAX_NAME} characters`);
      continue;
    }
    if (!isObject(spec)) {
      problems.push(`${where} "${name}" must be an object`);
      continue;
    }
    const problem = valueProblem(name, spec.value, where.replace(/s$/, ""));
    if (problem) problems.push(problem);
    if (spec.order !== undefined && typeof spec.order !== "number")
      problems.push(`${where} "${name}" order must be a number`);
    out[name] = { ...spec };
  }
  return out;
}

/**
 * Reads an Apple- or Google-shaped template request. On a full replace, `current` supplies the vendor and type
 * the body leaves out (they are kept, never reset).
 */
export function parseTemplateBody(body: unknown, current?: { vendor: Vendor; type: string }): ParsedTemplate {
  if (!isObject(body)) throw new InvalidInput(["The template must be a JSON object"]);
  const problems: string[] = [];
  const name = body.name;
  if (typeof name !== "string" || name.trim() === "" || name.length > MAX_NAME) {
    problems.push(`name is required: a string of 1 to ${MAX_NAME} characters`);
  }
  if (
    body.description !== undefined &&
    body.description !== null &&
    (typeof body.description !== "string" || body.description.length > MAX_DESCRIPTION)
  ) {
    problems.push(`description must be a string of at most ${MAX_DESCRIPTION} characters`);
  }
  const vendorGiven = body.vendor !== undefined || body.vendorId !== undefined;
  const vendor = !vendorGiven && current ? current.vendor : vendorOf(body);
  if (!vendor) problems.push('vendor must be "Apple" or "Google" (vendorId 1 or 2)');
  const type = body.type ?? current?.type ?? "Generic";
  if (typeof type !== "string" || type.trim() === "" || type.length > 64)
    problems.push("type must be a string of 1 to 64 characters");

  const headers = parseEntries(body.headers, "headers", problems);
  const fields: Record<string, FieldSpec> = {};
  const modules: Record<string, Record<string, unknown>> = {};
  if (vendor && VENDORS[vendor].fieldsIn === "modules") {
    for (const module of GOOGLE_MODULES) {
      const raw = body[module];
      if (raw === undefined || raw === null) continue;
      if (!isObject(raw)) {
        problems.push(`${module} must be an object`);
        continue;
      }
      const props: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(raw)) {
        if (isObject(value)) {
          if (key in fields) problems.push(`field "${key}" appears in more than one module`);
          const problem = valueProblem(key, value.value, "field");
          if (problem) problems.push(problem);
          fields[key] = { ...value, fieldType: module };
        } else {
          if (isColorHeader(key)) {
            const problem = colorProblem(value);
            if (problem) problems.push(`${module}.${key} ${problem}`);
          }
          props[key] = value;
        }
      }
      modules[module] = props;
    }
  } else {
    Object.assign(fields, parseEntries(body.fields, "fields", problems));
    for (const [fieldName, spec] of Object.entries(fields)) {
      const fieldType = typeof spec.fieldType === "string" ? spec.fieldType.toLowerCase() : undefined;
      if (!fieldType || !APPLE_FIELD_TYPES.some((t) => t.toLowerCase() === fieldType)) {
        problems.push(`field "${fieldName}" fieldType must be one of ${APPLE_FIELD_TYPES.join(", ")}`);
      } else spec.fieldType = fieldType;
    }
  }

  let beacons: Beacon[] = [];
  if (body.beacons !== undefined && body.beacons !== null) {
    if (vendor && !VENDORS[vendor].beacons) problems.push("beacons are supported on Apple templates only");
    else {
      const parsed = parseBeacons(body.beacons);
      if ("problems" in parsed) problems.push(...parsed.problems);
      else beacons = parsed.beacons;
    }
  }

  const expiry = isObject(body.expiryInfo) ? body.expiryInfo.expiryDuration : body.expiryDuration;
  if (expiry !== undefined && expiry !== null && !(Number.isInteger(expiry) && (expiry as number) > 0)) {
    problems.push("expiryDuration must be a positive whole number of days");
  }
  assertNoProblems(problems);

  const design: TemplateDesign = { headers, fields, modules, beacons };
  if (typeof expiry === "number") design.expiryDuration = expiry;
  const tooLarge = documentSizeProblem("the template's headers and fields", design);
  assertNoProblems(tooLarge ? [tooLarge] : []);
  return {
    name: (name as string).trim(),
    description: typeof body.description === "string" ? body.description : "",
    vendor: vendor!,
    type: templateTypeName((type as string).trim()),
    design,
    locations: body.locations,
  };
}

/** The fieldsModel of a Get template response: Apple {headers, fields}, Google {headers, <modules>}. */
export function fieldsModelOf(vendor: Vendor, design: TemplateDesign): Record<string, unknown> {
  const model: Record<string, unknown> = { headers: design.headers };
  if (VENDORS[vendor].fieldsIn === "fields") {
    model.fields = design.fields;
    if (design.beacons.length > 0) model.beacons = design.beacons;
    return model;
  }
  for (const module of GOOGLE_MODULES) {
    const entries: Record<string, unknown> = { ...(design.modules[module] ?? {}) };
    for (const [name, spec] of Object.entries(design.fields)) {
      if (spec.fieldType !== module) continue;
      const { fieldType: _moduleName, ...rest } = spec;
      entries[name] = rest;
    }
    if (Object.keys(entries).length > 0 || module in design.modules) model[module] = entries;
  }
  return model;
}

function withDefaults(spec: FieldSpec): FieldSpec {
  return {
    formatType: "String",
    changeMessage: null,
    label: "",
    required: false,
    hideEmpty: false,
    ...spec,
  };
}

function applyOverrides(base: Record<string, FieldSpec>, overrides: Record<string, OverrideEntry> | undefined) {
  const merged: Record<string, FieldSpec> = {};
  for (const [name, spec] of Object.entries(base)) merged[name] = withDefaults(spec);
  for (const [name, entry] of Object.entries(overrides ?? {})) {
    const spec = merged[name] ?? withDefaults({ fieldType: "topLevel" });
    merged[name] = { ...spec, ...entry };
  }
  return merged;
}

/** Whether a pass has been voided: the reference marks it with the expirationDate label "voided". */
export function isVoided(headers: Record<string, FieldSpec>): boolean {
  const label = headers.expirationDate?.label;
  return typeof label === "string" && label.trim().toLowerCase() === "voided";
}

/** The pass as a holder sees it: the template's headers and fields with the pass's overrides applied. */
export function mergedView(design: TemplateDesign, overrides: PassOverrides) {
  return {
    headers: applyOverrides(design.headers, overrides.headers),
    fields: applyOverrides(design.fields, overrides.fields),
  };
}

const isNumeric = (v: unknown) =>
  (typeof v === "number" && Number.isFinite(v)) ||
  (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)));

/**
 * A field whose values must be numbers: formatType Number, unless the template's own value is not numeric
 * (the reference's own example declares a URL field as Number; such a template gets what it shows).
 */
function isNumberField(spec: FieldSpec): boolean {
  if (String(spec.formatType).toLowerCase() !== "number") return false;
  return isEmpty(spec.value) || isNumeric(spec.value);
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === "string" && value.trim() === "");
}

/**
 * Applies a create/update request's `headers` and `fields` to a pass's overrides. Only value, label and
 * changeMessage are taken. Throws InvalidInput naming every unknown name and every bad value.
 */
export function applyPassValues(
  design: TemplateDesign,
  current: PassOverrides,
  input: { headers?: unknown; fields?: unknown },
): PassOverrides {
  const problems: string[] = [];
  const unknown: string[] = [];
  const next: Required<PassOverrides> = {
    headers: { ...(current.headers ?? {}) },
    fields: { ...(current.fields ?? {}) },
  };
  const place = (name: string, preferred: "headers" | "fields"): "headers" | "fields" | undefined => {
    const inFields = name in design.fields;
    const inHeaders = name in design.headers || KNOWN_HEADERS.has(name);
    if (preferred === "fields") return inFields ? "fields" : inHeaders ? "headers" : undefined;
    return inHeaders ? "headers" : inFields ? "fields" : undefined;
  };
  for (const group of ["headers", "fields"] as const) {
    const raw = input[group];
    if (raw === undefined || raw === null) continue;
    if (!isObject(raw)) {
      problems.push(`${group} must be an object`);
      continue;
    }
    for (const [name, entry] of Object.entries(raw)) {
      const target = place(name, group);
      if (!target) {
        unknown.push(name);
        continue;
      }
      if (!isObject(entry)) {
        problems.push(`"${name}" must be an object with value, label or changeMessage`);
        continue;
      }
      const spec = (target === "fields" ? design.fields[name] : design.headers[name]) ?? {};
      const change: OverrideEntry = { ...(next[target][name] ?? {}) };
      if ("value" in entry) {
        const value = entry.value;
        const problem = valueProblem(name, value, target === "fields" ? "field" : "header");
        if (problem) problems.push(problem);
        else if (isNumberField(spec) && !isEmpty(value)) {
          const n = typeof value === "string" ? Number(value) : value;
          if (typeof n !== "number" || !Number.isFinite(n))
            problems.push(`field "${name}" is a Number field: "${String(value)}" is not a number`);
        }
        if (spec.required === true && isEmpty(value)) problems.push(`field "${name}" is required and cannot be empty`);
        change.value = value;
      }
      for (const key of ["label", "changeMessage"] as const) {
        if (!(key in entry)) continue;
        const v = entry[key];
        if (v !== null && typeof v !== "string") problems.push(`"${name}" ${key} must be a string or null`);
        else if (typeof v === "string" && v.length > MAX_VALUE) problems.push(`"${name}" ${key} is too long`);
        else change[key] = v;
      }
      next[target][name] = change;
    }
  }
  if (unknown.length > 0) {
    problems.unshift(`Unknown field${unknown.length > 1 ? "s" : ""} for this template: ${unknown.join(", ")}`);
  }
  assertNoProblems(problems);
  // A required template field must have a value once merged.
  const merged = mergedView(design, next);
  const missing = Object.entries(merged.fields)
    .filter(([, spec]) => spec.required === true && isEmpty(spec.value))
    .map(([name]) => name);
  assertNoProblems(
    missing.length ? [`Required field${missing.length > 1 ? "s" : ""} left empty: ${missing.join(", ")}`] : [],
  );
  const tooLarge = documentSizeProblem("the pass's own values", next);
  assertNoProblems(tooLarge ? [tooLarge] : []);
  return next;
}
