// Validation of the value kinds a pass carries: colours, dates, locations, beacons, tags. Pure functions; each
// returns a problem message (naming what is wrong) or undefined, or throws InvalidInput (tags).
import { InvalidInput } from "./invalid-input.js";

/** A JSON object (not an array, not null). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const RGB = /^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,\s*(?:0|1|0?\.\d+)\s*)?\)$/i;
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;

export function colorProblem(value: unknown): string | undefined {
  if (typeof value !== "string") return "must be a colour string like rgb(24,86,148)";
  const rgb = RGB.exec(value.trim());
  if (rgb) return rgb.slice(1, 4).every((c) => Number(c) <= 255) ? undefined : "has a channel above 255";
  return HEX.test(value.trim()) ? undefined : "must be rgb(r,g,b) with 0–255 channels, or #rrggbb";
}

/** The [r, g, b] of an rgb()/rgba() or #rgb/#rrggbb colour (channels clamped to 255), or undefined. */
export function parseColor(value: unknown): [number, number, number] | undefined {
  if (typeof value !== "string") return undefined;
  const rgb = RGB.exec(value.trim());
  if (rgb) return [rgb[1], rgb[2], rgb[3]].map((c) => Math.min(255, Number(c))) as [number, number, number];
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(value.trim())?.[1];
  if (!hex) return undefined;
  const n = Number.parseInt(hex.length === 3 ? [...hex].map((c) => c + c).join("") : hex, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** #rrggbb of a colour, or undefined. */
export function hexColor(value: unknown): string | undefined {
  const rgb = parseColor(value);
  return rgb && `#${rgb.map((c) => c.toString(16).padStart(2, "0")).join("")}`;
}

// ISO 8601 as the Airship API writes it: the T may be a space, hours may have one digit, offset optional.
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses an ISO 8601 date-time leniently (as the reference's examples write them); undefined if invalid. */
export function parseIsoDate(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const m = ISO_DATE.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  let offsetMinutes = 0;
  if (zone && zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2)));
  }
  const utc = Date.UTC(Number(y), month - 1, day, Number(h), Number(mi), Number(s)) - offsetMinutes * 60_000;
  const date = new Date(utc);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

export interface LocationInput {
  latitude: number;
  longitude: number;
  altitude?: number;
  relevantText?: string;
  streetAddress1?: string;
  streetAddress2?: string;
  city?: string;
  region?: string;
  regionCode?: string;
  country?: string;
}

const LOCATION_TEXT = [
  "relevantText",
  "streetAddress1",
  "streetAddress2",
  "city",
  "region",
  "regionCode",
  "country",
] as const;

type StoredLocation = { latitude: number; longitude: number; altitude: number | null } & {
  [K in (typeof LOCATION_TEXT)[number]]: string | null;
};

/** A stored location as the API shows it: coordinates plus the text fields that are set. */
export function locationValue(location: StoredLocation): LocationInput {
  const value: LocationInput = { latitude: location.latitude, longitude: location.longitude };
  if (location.altitude !== null) value.altitude = location.altitude;
  for (const key of LOCATION_TEXT) {
    const text = location[key];
    if (text !== null) value[key] = text;
  }
  return value;
}

function coordinate(value: unknown): number | undefined {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** The size of a document as the store keeps it: bytes of JSON. */
export const jsonBytes = (document: unknown): number => Buffer.byteLength(JSON.stringify(document));

/** The largest stored template design and pass values (bytes of JSON): what one read of a template or pass holds. */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;

/** A problem when `document` is larger than MAX_DOCUMENT_BYTES. */
export function documentSizeProblem(what: string, document: unknown): string | undefined {
  const size = jsonBytes(document);
  return size > MAX_DOCUMENT_BYTES
    ? `${what} is ${size} bytes of JSON; at most ${MAX_DOCUMENT_BYTES} are kept`
    : undefined;
}

/** Locations a pass or template holds at most (Apple Wallet and Google Wallet show ten). */
export const MAX_LOCATIONS = 10;
/** Locations an adaptive link offers at most (each pass gets the nearest MAX_LOCATIONS of them). */
export const MAX_LINK_LOCATIONS = 1000;
/** Beacons a pass or template holds at most (Apple Wallet's limit). */
export const MAX_BEACONS = 10;
/** Tags a pass carries at most (Airship's limit). */
export const MAX_TAGS_PER_PASS = 15;

/** Validates a list of locations; returns them normalised, or the problems found (indexed). */
export function parseLocations(
  raw: unknown,
  max = MAX_LOCATIONS,
): { locations: LocationInput[] } | { problems: string[] } {
  if (!Array.isArray(raw)) return { problems: ["locations must be an array"] };
  if (raw.length > max) return { problems: [`at most ${max} locations are allowed (got ${raw.length})`] };
  const problems: string[] = [];
  const locations: LocationInput[] = [];
  raw.forEach((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      problems.push(`locations[${i}] must be an object`);
      return;
    }
    const entry = item as Record<string, unknown>;
    const latitude = coordinate(entry.latitude);
    const longitude = coordinate(entry.longitude);
    if (latitude === undefined || latitude < -90 || latitude > 90) {
      problems.push(`locations[${i}].latitude must be a number from -90 to 90`);
    }
    if (longitude === undefined || longitude < -180 || longitude > 180) {
      problems.push(`locations[${i}].longitude must be a number from -180 to 180`);
    }
    const location: LocationInput = { latitude: latitude ?? 0, longitude: longitude ?? 0 };
    if (entry.altitude !== undefined && entry.altitude !== null) {
      const altitude = coordinate(entry.altitude);
      if (altitude === undefined) problems.push(`locations[${i}].altitude must be a number`);
      else location.altitude = altitude;
    }
    for (const key of LOCATION_TEXT) {
      const value = entry[key];
      if (value === undefined || value === null) continue;
      if (typeof value !== "string" || value.length > 1000) {
        problems.push(`locations[${i}].${key} must be a string of at most 1000 characters`);
      } else location[key] = value;
    }
    locations.push(location);
  });
  return problems.length > 0 ? { problems } : { locations };
}

export interface Beacon {
  uuid: string;
  major?: number;
  minor?: number;
  relevantText?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseBeacons(raw: unknown): { beacons: Beacon[] } | { problems: string[] } {
  if (!Array.isArray(raw)) return { problems: ["beacons must be an array"] };
  if (raw.length > MAX_BEACONS) return { problems: [`at most ${MAX_BEACONS} beacons are allowed (got ${raw.length})`] };
  const problems: string[] = [];
  const beacons: Beacon[] = [];
  raw.forEach((item, i) => {
    const entry = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof entry.uuid !== "string" || !UUID.test(entry.uuid)) {
      problems.push(`beacons[${i}].uuid must be a UUID`);
      return;
    }
    const beacon: Beacon = { uuid: entry.uuid.toUpperCase() };
    for (const key of ["major", "minor"] as const) {
      if (entry[key] === undefined || entry[key] === null) continue;
      const n = entry[key];
      if (typeof n !== "number" || !Number.isInteger(n) || n < 0 || n > 65535) {
        problems.push(`beacons[${i}].${key} must be an integer from 0 to 65535`);
      } else beacon[key] = n;
    }
    if (entry.relevantText !== undefined && entry.relevantText !== null) {
      if (typeof entry.relevantText !== "string" || entry.relevantText.length > 1000) {
        problems.push(`beacons[${i}].relevantText must be a string of at most 1000 characters`);
      } else beacon.relevantText = entry.relevantText;
    }
    beacons.push(beacon);
  });
  return problems.length > 0 ? { problems } : { beacons };
}

/** A list of tags: non-empty strings of at most 255 characters, at most MAX_TAGS_PER_PASS once de-duplicated. */
export function parseTags(raw: unknown): string[] {
  if (!Array.isArray(raw) || raw.some((t) => typeof t !== "string" || t.trim() === "" || t.length > 255)) {
    throw new InvalidInput(["tags must be an array of non-empty strings of at most 255 characters"]);
  }
  const tags = [...new Set(raw.map((t: string) => t.trim()))];
  if (tags.length > MAX_TAGS_PER_PASS) {
    throw new InvalidInput([`a pass carries at most ${MAX_TAGS_PER_PASS} tags (got ${tags.length})`]);
  }
  return tags;
}

/**
 * The locations an "add locations" request carries: `{"locations": […]}` (the reference), or — as PassTools-era
 * clients send it — a bare array whose items are location objects or JSON-encoded location objects.
 */
export function locationsRequestOf(body: unknown): unknown[] {
  const list = isObject(body) ? body.locations : body;
  if (!Array.isArray(list)) throw new InvalidInput(["locations is required: an array of locations"]);
  return list.map((item, i) => {
    if (typeof item !== "string") return item;
    try {
      return JSON.parse(item) as unknown;
    } catch {
      throw new InvalidInput([`locations[${i}] is a string but not a JSON location object`]);
    }
  });
}
