// pass.json from the field model: the pass's merged view (template headers and fields with its overrides), its
// locations and beacons, the project's NFC key and the signing identity, mapped to Apple's PassKit keys.

import { FLAG_KEYS, TEXT_KEYS, URL_KEYS } from "../domain/apple-keys.js";
import { isVoided } from "../domain/field-model.js";
import type { FieldSpec } from "../domain/field-spec.js";
import type { Personalization } from "../domain/personalization.js";
import { type Beacon, type LocationInput, parseColor, parseIsoDate } from "../domain/values.js";
import { type StyleChoice, styleOf } from "./semantics.js";

export type PassStyle = "storeCard" | "coupon" | "eventTicket" | "boardingPass" | "generic";

/** The pass style of a template, from its type (e.g. "Store Card", "Boarding Pass") or its project's type. */
export function passStyleOf(templateType: string, projectType = ""): PassStyle {
  for (const text of [templateType, projectType]) {
    const t = text.toLowerCase().replace(/[^a-z]/g, "");
    if (t.includes("coupon") || t.includes("offer")) return "coupon";
    if (t.includes("event") || t.includes("ticket")) return "eventTicket";
    if (t.includes("boarding") || t.includes("flight") || t.includes("transit")) return "boardingPass";
    if (t.includes("store") || t.includes("loyalty") || t.includes("member") || t.includes("gift")) return "storeCard";
    if (t.includes("generic")) return "generic";
  }
  return "generic";
}

const TRANSIT_TYPES = ["Air", "Boat", "Bus", "Generic", "Train"];
const BARCODE_FORMATS: Record<string, string> = {
  qr: "PKBarcodeFormatQR",
  qrcode: "PKBarcodeFormatQR",
  pdf417: "PKBarcodeFormatPDF417",
  aztec: "PKBarcodeFormatAztec",
  code128: "PKBarcodeFormatCode128",
};
/**
 * The linear formats of Apple's newest Wallet (pass-builder's PassBarcodeFormat): sent first, each with a Code 128 of
 * the same message after it — Wallet shows the first barcode it can draw, so an older iPhone shows the Code 128.
 */
const NEWER_FORMATS: Record<string, string> = {
  ean13: "PKBarcodeFormatEAN13",
  codabar: "PKBarcodeFormatCodabar",
  code39: "PKBarcodeFormatCode39",
  i2of5: "PKBarcodeFormatI2of5",
};
const FIELD_GROUPS = {
  header: "headerFields",
  primary: "primaryFields",
  secondary: "secondaryFields",
  auxiliary: "auxiliaryFields",
  back: "backFields",
  // A poster event ticket's extra fields (iOS 18).
  additionalinfo: "additionalInfoFields",
} as const;
const ALIGNMENTS: Record<string, string> = {
  left: "PKTextAlignmentLeft",
  center: "PKTextAlignmentCenter",
  right: "PKTextAlignmentRight",
  natural: "PKTextAlignmentNatural",
  justified: "PKTextAlignmentNatural",
};
const NUMBER_STYLES = ["Decimal", "Percent", "Scientific", "SpellOut"];
const DATE_STYLES = ["None", "Short", "Medium", "Long", "Full"];

export interface PassField {
  key: string;
  label?: string;
  value: string | number;
  changeMessage?: string;
  textAlignment?: string;
  numberStyle?: string;
  currencyCode?: string;
  dateStyle?: string;
  timeStyle?: string;
  isRelative?: boolean;
}

export interface PassJsonInput {
  templateType: string;
  projectType: string;
  headers: Record<string, FieldSpec>;
  fields: Record<string, FieldSpec>;
  serialNumber: string;
  authenticationToken: string;
  webServiceURL: string;
  passTypeIdentifier: string;
  teamIdentifier: string;
  organizationName: string;
  description: string;
  locations: LocationInput[];
  beacons: Beacon[];
  /** The project's NFC merchant public key (SubjectPublicKeyInfo DER, base64). */
  nfcPublicKey?: string;
  /** Made from an adaptive link: its flight's or event's and its passenger's values (for the semantic tags). */
  linkFields?: Record<string, unknown> | null;
  /** Its flight's (event's) explicit semantic tags: over the filled ones, under the pass's own. */
  linkSemantics?: Record<string, unknown> | null;
  /** Where the server serves stored images (`<base>/images/<sha256>.png`): upcoming events' images point there. */
  imagesBaseUrl?: string;
}

/** pass.json, and which newer layout it asks for or misses (and why). */
export interface BuiltPassJson {
  passJson: Record<string, unknown>;
  missing?: StyleChoice["missing"];
}

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  return s === "" ? undefined : s;
};

const headerText = (headers: Record<string, FieldSpec>, ...names: string[]) => {
  for (const name of names) {
    const value = text(headers[name]?.value);
    if (value !== undefined) return value;
  }
  return undefined;
};

/** Apple's colour syntax, rgb(r, g, b), from rgb()/rgba() or #rrggbb/#rgb. */
export function appleColor(value: string): string | undefined {
  const rgb = parseColor(value);
  return rgb && `rgb(${rgb.join(", ")})`;
}

/** A W3C date-time (what Wallet parses): seconds precision, UTC. */
export function appleDate(value: unknown): string | undefined {
  const date = parseIsoDate(value);
  return date && `${date.toISOString().slice(0, 19)}Z`;
}

const styleName = (raw: unknown, prefix: string, allowed: string[]) => {
  if (typeof raw !== "string") return undefined;
  const bare = raw.replace(new RegExp(`^${prefix}`, "i"), "").toLowerCase();
  const match = allowed.find((s) => s.toLowerCase() === bare);
  return match && `${prefix}${match}`;
};

/** One PassKit field from an Airship field, or undefined when it is hidden (hideEmpty with no value). */
export function passField(key: string, spec: FieldSpec): PassField | undefined {
  const raw = spec.value;
  const isEmpty = raw === undefined || raw === null || String(raw).trim() === "";
  if (isEmpty && spec.hideEmpty === true) return undefined;
  const format = String(spec.formatType ?? "").toLowerCase();
  let value: string | number = isEmpty ? "" : typeof raw === "number" ? raw : String(raw);
  const field: PassField = { key, value };
  if (text(spec.label) !== undefined) field.label = String(spec.label);
  if (typeof spec.changeMessage === "string" && spec.changeMessage.includes("%@")) {
    field.changeMessage = spec.changeMessage;
  }
  const alignment =
    typeof spec.textAlignment === "string" ? spec.textAlignment.replace(/^(PK)?TextAlignment/i, "") : "";
  if (ALIGNMENTS[alignment.toLowerCase()]) field.textAlignment = ALIGNMENTS[alignment.toLowerCase()];

  const numeric =
    typeof value === "number" ? value : value !== "" && Number.isFinite(Number(value)) ? Number(value) : undefined;
  const currencyCode = typeof spec.currencyCode === "string" ? spec.currencyCode.toUpperCase() : undefined;
  if ((format === "currency" || currencyCode) && numeric !== undefined && /^[A-Z]{3}$/.test(currencyCode ?? "")) {
    value = numeric;
    field.currencyCode = currencyCode;
  } else if ((format === "number" || spec.numberStyle !== undefined) && numeric !== undefined) {
    value = numeric;
    field.numberStyle = styleName(spec.numberStyle, "PKNumberStyle", NUMBER_STYLES) ?? "PKNumberStyleDecimal";
  } else if (format === "date" || spec.dateStyle !== undefined || spec.timeStyle !== undefined) {
    const date = appleDate(value);
    if (date) {
      value = date;
      field.dateStyle = styleName(spec.dateStyle, "PKDateStyle", DATE_STYLES) ?? "PKDateStyleMedium";
      field.timeStyle = styleName(spec.timeStyle, "PKDateStyle", DATE_STYLES) ?? "PKDateStyleShort";
      if (spec.isRelative === true) field.isRelative = true;
    }
  }
  field.value = value;
  return field;
}

const orderOf = (spec: FieldSpec) => (typeof spec.order === "number" ? spec.order : Number.MAX_SAFE_INTEGER);

/** The five field groups in `order` (then name), with hidden fields left out. */
function fieldGroups(fields: Record<string, FieldSpec>) {
  const groups: Record<string, PassField[]> = {};
  const entries = Object.entries(fields).sort(([a, x], [b, y]) => orderOf(x) - orderOf(y) || a.localeCompare(b));
  for (const [name, spec] of entries) {
    const group = FIELD_GROUPS[String(spec.fieldType).toLowerCase() as keyof typeof FIELD_GROUPS];
    if (!group) continue;
    const field = passField(name, spec);
    if (!field) continue;
    groups[group] ??= [];
    groups[group].push(field);
  }
  return groups;
}

function barcodes(headers: Record<string, FieldSpec>) {
  const message = headerText(headers, "barcode_value");
  if (message === undefined) return undefined;
  const type = (headerText(headers, "barcode_type") ?? "qr").toLowerCase().replace(/^pkbarcodeformat|[^a-z0-9]/g, "");
  const altText = headerText(headers, "barcodeAltText", "barcode_alt_text", "barcode_label");
  const code = (format: string) => ({
    format,
    message,
    messageEncoding: headerText(headers, "barcode_encoding") ?? "iso-8859-1",
    ...(altText === undefined ? {} : { altText }),
  });
  const newer = NEWER_FORMATS[type];
  if (newer) return [code(newer), code("PKBarcodeFormatCode128")];
  return [code(BARCODE_FORMATS[type] ?? "PKBarcodeFormatQR")];
}

export function buildPassJson(input: PassJsonInput): Record<string, unknown> {
  return buildPass(input).passJson;
}

export function buildPass(input: PassJsonInput): BuiltPassJson {
  const { headers } = input;
  const style = passStyleOf(input.templateType, input.projectType);
  const styleDict: Record<string, unknown> = fieldGroups(input.fields);
  if (style === "boardingPass") {
    const raw = headerText(headers, "transitType", "transit_type") ?? "Air";
    const bare = raw.replace(/^PKTransitType/i, "").toLowerCase();
    styleDict.transitType = `PKTransitType${TRANSIT_TYPES.find((t) => t.toLowerCase() === bare) ?? "Air"}`;
  }
  const pass: Record<string, unknown> = {
    formatVersion: 1,
    passTypeIdentifier: input.passTypeIdentifier,
    serialNumber: input.serialNumber,
    teamIdentifier: input.teamIdentifier,
    organizationName: headerText(headers, "organizationName") ?? input.organizationName,
    description: headerText(headers, "description") ?? input.description,
    webServiceURL: input.webServiceURL,
    authenticationToken: input.authenticationToken,
  };
  const logoText = headerText(headers, "logo_text");
  if (logoText !== undefined) pass.logoText = logoText;
  for (const [header, key] of [
    ["foreground_color", "foregroundColor"],
    ["background_color", "backgroundColor"],
    ["label_color", "labelColor"],
  ] as const) {
    const color = headerText(headers, header);
    const apple = color && appleColor(color);
    if (apple) pass[key] = apple;
  }
  const codes = barcodes(headers);
  if (codes) pass.barcodes = codes;
  const expiration = appleDate(headers.expirationDate?.value);
  if (expiration) pass.expirationDate = expiration;
  if (isVoided(headers)) pass.voided = true;
  const relevant = appleDate(headers.relevantDate?.value);
  if (relevant) pass.relevantDate = relevant;
  // relevantDates (iOS 18) replaces relevantDate; both are sent, for the Wallets that know only the older one.
  if (Array.isArray(headers.relevantDates?.value)) pass.relevantDates = headers.relevantDates.value;
  for (const key of [...URL_KEYS, ...TEXT_KEYS]) {
    const value = headerText(headers, key);
    if (value !== undefined) pass[key] = value;
  }
  const footer = headerText(headers, "footerBackgroundColor");
  if (footer && appleColor(footer)) pass.footerBackgroundColor = appleColor(footer);
  for (const key of FLAG_KEYS) {
    const flag = headerText(headers, key);
    if (flag === "true" || flag === "false") pass[key] = flag === "true";
  }
  const strip = headerText(headers, "stripColor");
  if (strip && appleColor(strip)) pass.stripColor = appleColor(strip);
  for (const key of ["featuredActions", "associatedStoreIdentifiers", "auxiliaryStoreIdentifiers"]) {
    if (Array.isArray(headers[key]?.value)) pass[key] = headers[key].value;
  }
  const upcoming = headers.upcomingPassInformation?.value;
  if (Array.isArray(upcoming) && input.imagesBaseUrl)
    pass.upcomingPassInformation = withImageUrls(upcoming, input.imagesBaseUrl);
  if (String(headers.suppress_strip_shine?.value).toLowerCase() === "true") pass.suppressStripShine = true;
  if (String(headers.sharingProhibited?.value).toLowerCase() === "true") pass.sharingProhibited = true;
  if (input.locations.length) pass.locations = input.locations.slice(0, 10).map(appleLocation);
  if (input.beacons.length) pass.beacons = input.beacons.map(appleBeacon);
  if (input.nfcPublicKey) {
    pass.nfc = {
      message: nfcMessage(headers, input.serialNumber),
      encryptionPublicKey: input.nfcPublicKey,
      // Stated, not left out: Wallet's poster ticket layout requires the key to be present.
      requiresAuthentication: false,
    };
  }
  pass[style] = styleDict;
  const choice = styleOf(
    style,
    styleDict.transitType as string | undefined,
    semanticSources(input.fields, input.linkFields),
    headers,
    pass.nfc !== undefined,
    input.linkSemantics ?? undefined,
  );
  if (choice.semantics) pass.semantics = choice.semantics;
  if (choice.schemes) pass.preferredStyleSchemes = choice.schemes;
  return { passJson: pass, ...(choice.missing ? { missing: choice.missing } : {}) };
}

/** Upcoming events as stored (images by hash) with each image's URL on this server: what Wallet downloads. */
function withImageUrls(entries: unknown[], base: string): unknown[] {
  return entries.map((entry) => {
    const images = (entry as { images?: Record<string, { urls?: Array<{ sha256: string }> }> }).images;
    if (!images) return entry;
    const hosted = Object.fromEntries(
      Object.entries(images).map(([name, image]) => [
        name,
        { ...image, urls: (image.urls ?? []).map((u) => ({ ...u, url: `${base}/images/${u.sha256}.png` })) },
      ]),
    );
    return { ...(entry as object), images: hosted };
  });
}

/**
 * The values the semantic tags are read from: the pass's own, and where it has none, those of the flight (event) and
 * passenger (attendee) its adaptive link carries, as Airship writes them (bare texts or {label, value}).
 */
function semanticSources(fields: Record<string, FieldSpec>, link: Record<string, unknown> | null | undefined) {
  const merged: Record<string, FieldSpec> = {};
  for (const [name, value] of Object.entries(link ?? {})) {
    merged[name] = isObjectValue(value) ? (value as FieldSpec) : { value };
  }
  for (const [name, spec] of Object.entries(fields)) {
    if (text(spec.value) !== undefined || !(name in merged)) merged[name] = spec;
  }
  return merged;
}

const isObjectValue = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);

/** The NFC payload: the nfc_message header, else the barcode value, else the serial (Apple allows 64 bytes). */
function nfcMessage(headers: Record<string, FieldSpec>, serialNumber: string): string {
  for (const candidate of [headerText(headers, "nfc_message"), headerText(headers, "barcode_value")]) {
    if (candidate !== undefined && Buffer.byteLength(candidate) <= 64) return candidate;
  }
  return serialNumber;
}

function appleLocation(location: LocationInput) {
  return {
    latitude: location.latitude,
    longitude: location.longitude,
    ...(location.altitude === undefined || location.altitude === null ? {} : { altitude: location.altitude }),
    ...(location.relevantText ? { relevantText: location.relevantText } : {}),
  };
}

function appleBeacon(beacon: Beacon) {
  return {
    proximityUUID: beacon.uuid,
    ...(beacon.major === undefined ? {} : { major: beacon.major }),
    ...(beacon.minor === undefined ? {} : { minor: beacon.minor }),
    ...(beacon.relevantText ? { relevantText: beacon.relevantText } : {}),
  };
}

const PERSONALIZATION_FIELDS: Record<string, string> = {
  name: "PKPassPersonalizationFieldName",
  postalCode: "PKPassPersonalizationFieldPostalCode",
  emailAddress: "PKPassPersonalizationFieldEmailAddress",
  phoneNumber: "PKPassPersonalizationFieldPhoneNumber",
};

/** personalization.json for a template with personalization requirements. */
export function buildPersonalizationJson(personalization: Personalization): Record<string, unknown> {
  return {
    requiredPersonalizationFields: personalization.requiredPersonalizationFields.map((f) => PERSONALIZATION_FIELDS[f]),
    description: personalization.description ?? "",
    ...(personalization.termsAndConditions ? { termsAndConditions: personalization.termsAndConditions } : {}),
  };
}
