// The field model as Google Wallet classes and objects. A Google template becomes a class; each of its passes an
// object. Fields that are the same for every pass live on the class; fields a pass may hold its own value for
// (marked `notShared`, or overridden by some pass) live on every object, so a phone shows each field once.
import type { TemplateDesign } from "../domain/field-model.js";
import type { FieldSpec } from "../domain/field-spec.js";
import type { GoogleMessage, RotatingBarcode } from "../domain/google-keys.js";
import { hexColor, type LocationInput, parseIsoDate } from "../domain/values.js";
import type { WalletResource } from "./api-client.js";

export type GoogleKind = "loyalty" | "offer" | "giftCard" | "eventTicket" | "flight" | "generic";

/**
 * The Google pass type of a template, from its type (e.g. "Loyalty1", "Coupon") or its project's type. A boarding
 * pass becomes a flight only when its template names the flight (see flightOf); otherwise it is generic.
 */
export function googleKindOf(templateType: string, projectType: string, fields: Record<string, FieldSpec>): GoogleKind {
  const kind = kindByName(templateType, projectType);
  return kind === "flight" && (!flightOf(fields) || !("passengerName" in fields)) ? "generic" : kind;
}

function kindByName(templateType: string, projectType: string): GoogleKind {
  for (const text of [templateType, projectType]) {
    const t = text.toLowerCase().replace(/[^a-z]/g, "");
    if (t.includes("gift")) return "giftCard";
    if (t.includes("coupon") || t.includes("offer")) return "offer";
    if (t.includes("event") || t.includes("ticket")) return "eventTicket";
    if (t.includes("boarding") || t.includes("flight")) return "flight";
    if (t.includes("loyalty") || t.includes("member") || t.includes("store")) return "loyalty";
    if (t.includes("generic")) return "generic";
  }
  return "generic";
}

export const resourceOf = (kind: GoogleKind, part: "Class" | "Object") => `${kind}${part}` as WalletResource;

/** Only [A-Za-z0-9._-] may follow the issuer id in a class or object id. */
export const idSuffix = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 200);

const localized = (value: string) => ({ defaultValue: { language: "en", value } });
const image = (uri: string, description?: string) => ({
  sourceUri: { uri },
  ...(description ? { contentDescription: localized(description) } : {}),
});

const text = (value: unknown): string | undefined => {
  if (value === undefined || value === null) return undefined;
  const s = String(value).trim();
  return s === "" ? undefined : s;
};

const BARCODE_TYPES: Record<string, string> = {
  qr: "QR_CODE",
  qrcode: "QR_CODE",
  pdf417: "PDF_417",
  aztec: "AZTEC",
  code128: "CODE_128",
  code39: "CODE_39",
  ean13: "EAN_13",
  codabar: "CODABAR",
  i2of5: "ITF_14",
  upca: "UPC_A",
  datamatrix: "DATA_MATRIX",
};

function barcode(headers: Record<string, FieldSpec>) {
  const value = text(headers.barcode_value?.value);
  if (!value) return undefined;
  const raw = (text(headers.barcode_type?.value) ?? "qr").toLowerCase().replace(/^pkbarcodeformat|[^a-z0-9]/g, "");
  const alternateText =
    text(headers.barcodeAltText?.value) ?? text(headers.barcode_alt_text?.value) ?? text(headers.barcode_label?.value);
  return { type: BARCODE_TYPES[raw] ?? "QR_CODE", value, ...(alternateText ? { alternateText } : {}) };
}

const position = (spec: FieldSpec) =>
  (typeof spec.row === "number" ? spec.row : 999) * 1000 +
  (typeof spec.col === "number" ? spec.col : 0) +
  (typeof spec.order === "number" ? spec.order : 0);

/** The fields of one module, in row/column (then order) sequence. */
function moduleFields(fields: Record<string, FieldSpec>, module: string): Array<[string, FieldSpec]> {
  return Object.entries(fields)
    .filter(([, spec]) => spec.fieldType === module)
    .sort(([a, x], [b, y]) => position(x) - position(y) || a.localeCompare(b));
}

export interface ModuleParts {
  textModulesData?: Array<Record<string, unknown>>;
  linksModuleData?: { uris: Array<Record<string, unknown>> };
  imageModulesData?: Array<Record<string, unknown>>;
  valueAddedModuleData?: Array<Record<string, unknown>>;
  loyaltyPoints?: Record<string, unknown>;
  secondaryLoyaltyPoints?: Record<string, unknown>;
}

function points(spec: FieldSpec) {
  const value = spec.value;
  const n = typeof value === "number" ? value : Number(value);
  const balance =
    text(value) !== undefined && Number.isFinite(n)
      ? Number.isInteger(n)
        ? { int: n }
        : { double: n }
      : { string: String(value ?? "") };
  return { ...(text(spec.label) ? { label: String(spec.label) } : {}), balance };
}

/**
 * The module entries of the fields `include` selects: info and text modules → textModulesData, links →
 * linksModuleData, images → imageModulesData, points → loyaltyPoints (loyalty objects) or text.
 */
export function moduleParts(
  fields: Record<string, FieldSpec>,
  include: (name: string) => boolean,
  options: { loyaltyPoints: boolean },
): ModuleParts {
  const parts: ModuleParts = {};
  const textModules: Array<Record<string, unknown>> = [];
  for (const module of ["infoModuleData", "textModulesData", "pointsModule"]) {
    const entries = moduleFields(fields, module).filter(([name]) => include(name));
    if (module === "pointsModule" && options.loyaltyPoints) {
      const [first, second] = entries;
      if (first) parts.loyaltyPoints = points(first[1]);
      if (second) parts.secondaryLoyaltyPoints = points(second[1]);
      continue;
    }
    for (const [name, spec] of entries) {
      const body = text(spec.value) ?? text(spec.body) ?? "";
      textModules.push({ id: idSuffix(name), header: text(spec.header) ?? text(spec.label) ?? name, body });
    }
  }
  if (textModules.length) parts.textModulesData = textModules.slice(0, 10);
  const links = moduleFields(fields, "linksModuleData")
    .filter(([name]) => include(name))
    .map(([name, spec]) => ({
      id: idSuffix(name),
      uri: text(spec.value) ?? text(spec.uri) ?? "",
      description: text(spec.description) ?? text(spec.label) ?? name,
    }))
    .filter((link) => link.uri !== "");
  if (links.length) parts.linksModuleData = { uris: links };
  const images = moduleFields(fields, "imageModulesData")
    .filter(([name]) => include(name))
    .map(([name, spec]) => ({ name, uri: text(spec.value) ?? text(spec.image) ?? text(spec.uri), spec }))
    .filter((entry) => entry.uri !== undefined)
    .map(({ name, uri, spec }) => ({ id: idSuffix(name), mainImage: image(uri!, text(spec.label) ?? name) }));
  if (images.length) parts.imageModulesData = images;
  // Google's value-added modules (offers, add-ons beside the pass): a header, a body, an optional link and image.
  const valueAdded = moduleFields(fields, "valueAddedModuleData")
    .filter(([name]) => include(name))
    .map(([name, spec], i) => {
      const uri = text(spec.uri);
      const picture = text(spec.image);
      return {
        header: localized(text(spec.header) ?? text(spec.label) ?? name),
        body: localized(text(spec.value) ?? text(spec.body) ?? ""),
        ...(uri && /^https:\/\//i.test(uri) ? { uri } : {}),
        ...(picture && /^https:\/\//i.test(picture) ? { image: image(picture, text(spec.label) ?? name) } : {}),
        sortIndex: typeof spec.sortIndex === "number" ? spec.sortIndex : i,
      };
    });
  if (valueAdded.length) parts.valueAddedModuleData = valueAdded.slice(0, 15);
  return parts;
}

/** The card colour: a module's hexBackgroundColor, else the background_color header. */
function backgroundOf(design: TemplateDesign, headers: Record<string, FieldSpec>): string | undefined {
  return (
    hexColor(design.modules.infoModuleData?.hexBackgroundColor) ??
    hexColor(design.modules.titleModule?.hexBackgroundColor) ??
    hexColor(headers.background_color?.value)
  );
}

export interface ClassInput {
  kind: GoogleKind;
  classId: string;
  issuerName: string;
  templateName: string;
  design: TemplateDesign;
  /** The template's headers and fields (template values). */
  headers: Record<string, FieldSpec>;
  fields: Record<string, FieldSpec>;
  /** Fields that live on objects, not on the class. */
  objectFields: ReadonlySet<string>;
  logoUrl: string;
  callbackUrl: string;
  locations: LocationInput[];
}

/** The title text: the first title-module field's value, else the template's name. */
export function titleOf(fields: Record<string, FieldSpec>, fallback: string): string {
  const [first] = moduleFields(fields, "titleModule");
  return text(first?.[1].value) ?? fallback;
}

const latLong = (locations: LocationInput[]) =>
  locations.slice(0, 10).map((l) => ({ latitude: l.latitude, longitude: l.longitude }));

function field(view: Record<string, FieldSpec>, ...names: string[]): string | undefined {
  for (const name of names) {
    const value = text(view[name]?.value);
    if (value !== undefined) return value;
  }
  return undefined;
}

/**
 * What a Google flight class needs, from the template's fields: carrier (`airlineCode`), `flightNumber`, the
 * airports (`departureAirport`, `arrivalAirport`, IATA codes) and `departureTime`; undefined when one is missing.
 */
export function flightOf(fields: Record<string, FieldSpec>) {
  const carrier = field(fields, "airlineCode", "carrier");
  const flightNumber = field(fields, "flightNumber");
  const origin = field(fields, "departureAirport", "origin")?.toUpperCase();
  const destination = field(fields, "arrivalAirport", "destination")?.toUpperCase();
  const departure = localDateTime(field(fields, "departureTime", "departureDateTime"));
  if (!carrier || !/^[A-Z0-9]{2,3}$/i.test(carrier) || !flightNumber || !departure) return undefined;
  if (!origin || !/^[A-Z]{3}$/.test(origin) || !destination || !/^[A-Z]{3}$/.test(destination)) return undefined;
  return { carrier: carrier.toUpperCase(), flightNumber, origin, destination, departure };
}

/** A local date-time (no offset) for flight times: Google reads them as the airport's local time. */
function localDateTime(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?/.exec(value);
  return m ? `${m[1]}T${m[2]!.padStart(2, "0")}:${m[3]}:${m[4] ?? "00"}` : undefined;
}

export function buildClass(input: ClassInput): Record<string, unknown> {
  const { fields, headers } = input;
  const title = titleOf(fields, input.templateName);
  const titleProps = input.design.modules.titleModule ?? {};
  const logoDescription = text(titleProps.imageDescription) ?? title;
  const background = backgroundOf(input.design, headers);
  const messages = moduleFields(fields, "messageModule").map(([name, spec]) => ({
    id: idSuffix(name),
    header: text(spec.header) ?? text(spec.label) ?? name,
    body: text(spec.value) ?? text(spec.body) ?? "",
  }));
  const common: Record<string, unknown> = {
    id: input.classId,
    callbackOptions: { url: input.callbackUrl },
    ...moduleParts(fields, (name) => !input.objectFields.has(name), { loyaltyPoints: false }),
    ...(messages.length ? { messages: messages.slice(0, 10) } : {}),
  };
  if (input.kind === "generic") return common;
  const logo = image(input.logoUrl, logoDescription);
  Object.assign(common, {
    issuerName: input.issuerName,
    reviewStatus: "UNDER_REVIEW",
    ...(background ? { hexBackgroundColor: background } : {}),
    // merchantLocations (which trigger Google's geo notifications) replace the deprecated locations; both are sent.
    ...(input.locations.length
      ? { locations: latLong(input.locations), merchantLocations: latLong(input.locations) }
      : {}),
  });
  switch (input.kind) {
    case "loyalty":
      return { ...common, programName: title, programLogo: logo };
    case "offer":
      return { ...common, title, provider: input.issuerName, redemptionChannel: "BOTH", titleImage: logo };
    case "giftCard":
      return { ...common, merchantName: input.issuerName, programLogo: logo };
    case "eventTicket":
      return { ...common, eventName: localized(title), logo };
    case "flight": {
      // googleKindOf chose "flight" only when the template names the whole flight.
      const flight = flightOf(fields)!;
      return {
        ...common,
        flightHeader: {
          carrier: { carrierIataCode: flight.carrier, airlineLogo: logo },
          flightNumber: flight.flightNumber,
        },
        origin: { airportIataCode: flight.origin },
        destination: { airportIataCode: flight.destination },
        localScheduledDepartureDateTime: flight.departure,
      };
    }
  }
}

export interface ObjectInput {
  kind: GoogleKind;
  classId: string;
  objectId: string;
  serialNumber: string;
  templateName: string;
  issuerName: string;
  design: TemplateDesign;
  /** The pass's merged view. */
  headers: Record<string, FieldSpec>;
  fields: Record<string, FieldSpec>;
  objectFields: ReadonlySet<string>;
  logoUrl: string;
  /** The pass's own locations (the template's are on the class). */
  locations: LocationInput[];
  voided: boolean;
  /** When the object is built: an expiration date before it makes the object EXPIRED. */
  now: Date;
  /** The issuer's messages on the pass. */
  messages: GoogleMessage[];
  /** The object ids of the passes shown with this one (its linkedObjectIds header). */
  linkedObjectIds?: string[];
  /** A rotating (TOTP) barcode: its settings and the pass's key (hex). Sent through the REST API only. */
  rotating?: RotatingBarcode & { keyHex: string };
}

/** Google's rotating barcode: the code (TOTP, SHA-1) changes every period; the static barcode stays beside it. */
function rotatingBarcode(r: RotatingBarcode & { keyHex: string }) {
  return {
    type: r.type,
    renderEncoding: "UTF_8",
    valuePattern: r.valuePattern,
    totpDetails: {
      periodMillis: String(r.periodMillis),
      algorithm: "TOTP_SHA1",
      parameters: [{ key: r.keyHex, valueLength: r.valueLength }],
    },
    ...(r.alternateText ? { alternateText: r.alternateText } : {}),
  };
}

/** The stored messages as Google's Message objects. */
function messagesOf(messages: GoogleMessage[]) {
  return messages.map((m) => ({
    id: idSuffix(m.id),
    header: m.header,
    body: m.body,
    messageType: m.messageType === "expirationNotification" ? "EXPIRATION_NOTIFICATION" : "TEXT",
    ...(m.startTime || m.endTime
      ? {
          displayInterval: {
            ...(m.startTime ? { start: { date: m.startTime } } : {}),
            ...(m.endTime ? { end: { date: m.endTime } } : {}),
          },
        }
      : {}),
  }));
}

export function buildObject(input: ObjectInput): Record<string, unknown> {
  const { headers, fields } = input;
  const expires = parseIsoDate(headers.expirationDate?.value);
  const { now } = input;
  const state = input.voided ? "INACTIVE" : expires && expires.getTime() <= now.getTime() ? "EXPIRED" : "ACTIVE";
  const code = barcode(headers);
  const object: Record<string, unknown> = {
    id: input.objectId,
    classId: input.classId,
    state,
    ...(code ? { barcode: code } : {}),
    ...(expires ? { validTimeInterval: { end: { date: expires.toISOString() } } } : {}),
    ...(input.locations.length && input.kind !== "generic" ? { locations: latLong(input.locations) } : {}),
    ...(input.locations.length ? { merchantLocations: latLong(input.locations) } : {}),
    ...(input.messages.length ? { messages: messagesOf(input.messages) } : {}),
    ...(input.linkedObjectIds?.length ? { linkedObjectIds: input.linkedObjectIds } : {}),
    ...(input.rotating ? { rotatingBarcode: rotatingBarcode(input.rotating) } : {}),
    ...moduleParts(fields, (name) => input.objectFields.has(name) || fields[name]?.fieldType === "pointsModule", {
      loyaltyPoints: input.kind === "loyalty",
    }),
  };
  switch (input.kind) {
    case "giftCard":
      object.cardNumber = field(fields, "cardNumber") ?? code?.value ?? input.serialNumber;
      break;
    case "flight": {
      // An empty passenger name is sent as such: Google's answer names it on the change's ticket.
      object.passengerName = field(fields, "passengerName") ?? "";
      const confirmationCode = field(fields, "confirmationCode");
      const eticketNumber = field(fields, "eTicketNumber", "eticketNumber");
      const frequentFlyerNumber = field(fields, "frequentFlyerNumber");
      const program = field(fields, "frequentFlyerProgramName");
      object.reservationInfo = {
        ...(confirmationCode ? { confirmationCode } : {}),
        ...(eticketNumber ? { eticketNumber } : {}),
        ...(frequentFlyerNumber
          ? {
              frequentFlyerInfo: {
                frequentFlyerNumber,
                ...(program ? { frequentFlyerProgramName: localized(program) } : {}),
              },
            }
          : {}),
      };
      // A passenger's boarding and seat, as Airship's passenger fields name them.
      const seating = Object.fromEntries(
        (
          [
            ["seatNumber", field(fields, "seatNumber", "seat")],
            ["seatClass", field(fields, "seatClass")],
            ["boardingGroup", field(fields, "boardingGroup")],
            ["boardingPosition", field(fields, "boardingPosition")],
            ["sequenceNumber", field(fields, "sequenceNumber")],
            ["boardingDoor", field(fields, "boardingDoor")],
          ] as const
        ).filter(([, v]) => v !== undefined),
      );
      if (Object.keys(seating).length) object.boardingAndSeatingInfo = seating;
      break;
    }
    case "eventTicket": {
      const holder = field(fields, "ticketHolderName", "attendeeName", "name");
      if (holder) object.ticketHolderName = holder;
      const number = field(fields, "ticketNumber");
      if (number) object.ticketNumber = number;
      const type = field(fields, "ticketType");
      if (type) object.ticketType = localized(type);
      // An attendee's seat (Airship's seat, row, section and gate fields).
      const seat = Object.fromEntries(
        (
          [
            ["seat", field(fields, "seat", "seatNumber")],
            ["row", field(fields, "row")],
            ["section", field(fields, "section")],
            ["gate", field(fields, "gate")],
          ] as const
        )
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => [k, localized(v!)]),
      );
      if (Object.keys(seat).length) object.seatInfo = seat;
      const face = faceValueOf(fields.faceValue);
      if (face) object.faceValue = face;
      const confirmationCode = field(fields, "confirmationCode");
      if (confirmationCode) object.reservationInfo = { confirmationCode };
      break;
    }
    case "generic": {
      const titleProps = input.design.modules.titleModule ?? {};
      const title = titleOf(fields, input.templateName);
      object.cardTitle = localized(input.issuerName);
      object.header = localized(title);
      object.logo = image(input.logoUrl, text(titleProps.imageDescription) ?? title);
      const background = backgroundOf(input.design, headers);
      if (background) object.hexBackgroundColor = background;
      break;
    }
  }
  return object;
}

/**
 * An event ticket's face value as Google's Money: Airship's faceValue field, its value an amount (or its `micros`),
 * its currencyCode the field's (default USD).
 */
function faceValueOf(spec: FieldSpec | undefined): { micros: string; currencyCode: string } | undefined {
  if (!spec) return undefined;
  const currencyCode =
    typeof spec.currencyCode === "string" && /^[A-Z]{3}$/.test(spec.currencyCode) ? spec.currencyCode : "USD";
  if (typeof spec.micros === "number" || (typeof spec.micros === "string" && /^\d+$/.test(spec.micros))) {
    return { micros: String(spec.micros), currencyCode };
  }
  const amount = Number(spec.value);
  if (spec.value === undefined || spec.value === "" || !Number.isFinite(amount) || amount < 0) return undefined;
  return { micros: String(Math.round(amount * 1_000_000)), currencyCode };
}

/** The values a holder sees, by field name (to tell which changed, for change messages). */
export function fieldValues(fields: Record<string, FieldSpec>): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(fields)) values[name] = String(spec.value ?? spec.body ?? "");
  return values;
}
