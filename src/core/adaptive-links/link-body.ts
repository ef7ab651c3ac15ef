// Reading an adaptive link request (create, or partial update): which templates (by id, external id or pass-link
// id), the payload every pass starts from, locations, limits and expiry. Every problem is named at once.
import { InvalidInput } from "../../domain/invalid-input.js";
import {
  isObject,
  jsonBytes,
  type LocationInput,
  MAX_LINK_LOCATIONS,
  parseIsoDate,
  parseLocations,
} from "../../domain/values.js";

export type TemplateRef = { id: number } | { externalId: string } | { passLinkId: string };

/** The largest payload a link keeps (bytes of JSON): every pass of the link starts from it, every list shows it. */
export const MAX_PAYLOAD_BYTES = 64 * 1024;

export interface LinkInput {
  ios?: TemplateRef | null;
  android?: TemplateRef | null;
  payload?: Record<string, unknown>;
  locations?: LocationInput[];
  landingPageUrl?: string | null;
  availablePasses?: number;
  isPersonalized?: boolean;
  expirationDate?: Date | null;
  ttlInDays?: number | null;
  parameterEncoding?: string | null;
  locationRadius?: number | null;
  maxResultLocations?: number | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function bool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "True") return true;
  if (value === "false" || value === "False") return false;
  return undefined;
}

function integer(value: unknown): number | undefined {
  const n = typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
}

function templateRef(body: Record<string, unknown>, platform: "ios" | "android", problems: string[]) {
  const id = body[`${platform}TemplateId`];
  const externalId = body[`${platform}TemplateExternalId`];
  const passLinkId = body[`${platform}PassLinkId`];
  if (id !== undefined && id !== null) {
    const n = integer(id);
    if (n === undefined || n < 1) problems.push(`${platform}TemplateId must be a template id`);
    else return { id: n };
  }
  if (externalId !== undefined && externalId !== null) {
    if (typeof externalId !== "string" || externalId === "" || externalId.length > 255) {
      problems.push(`${platform}TemplateExternalId must be a string of 1 to 255 characters`);
    } else return { externalId };
  }
  if (passLinkId !== undefined && passLinkId !== null) {
    if (typeof passLinkId !== "string" || !UUID.test(passLinkId)) problems.push(`${platform}PassLinkId must be a UUID`);
    else return { passLinkId };
  }
  return undefined;
}

/** Parses a link body; `partial` (updates) allows omitting the templates. */
export function parseLinkBody(body: unknown, partial = false): LinkInput {
  if (!isObject(body)) throw new InvalidInput(["The adaptive link must be a JSON object"]);
  const problems: string[] = [];
  const input: LinkInput = {};
  const ios = templateRef(body, "ios", problems);
  const android = templateRef(body, "android", problems);
  if (ios) input.ios = ios;
  if (android) input.android = android;
  if (!partial && !ios && !android && problems.length === 0) {
    problems.push(
      "name a template: iosTemplateId / androidTemplateId, their …TemplateExternalId, or iosPassLinkId / androidPassLinkId",
    );
  }
  if (body.payload !== undefined && body.payload !== null) {
    const size = isObject(body.payload) ? jsonBytes(body.payload) : 0;
    if (!isObject(body.payload)) problems.push("payload must be an object");
    else if (size > MAX_PAYLOAD_BYTES) {
      problems.push(`payload is ${size} bytes of JSON; a link keeps at most ${MAX_PAYLOAD_BYTES}`);
    } else input.payload = body.payload;
  }
  if (body.locations !== undefined && body.locations !== null) {
    const parsed = parseLocations(body.locations, MAX_LINK_LOCATIONS);
    if ("problems" in parsed) problems.push(...parsed.problems);
    else input.locations = parsed.locations;
  }
  if (body.landingPageUrl !== undefined) {
    const url = body.landingPageUrl;
    if (url === null || url === "") input.landingPageUrl = null;
    else {
      const normalized = typeof url === "string" && url.length <= 2000 ? httpUrl(url) : undefined;
      if (normalized === undefined) problems.push("landingPageUrl must be an http(s) URL of at most 2000 characters");
      else input.landingPageUrl = normalized;
    }
  }
  if (body.availablePasses !== undefined && body.availablePasses !== null) {
    const n = integer(body.availablePasses);
    if (n === undefined || n < 0 || n > 2_000_000_000) problems.push("availablePasses must be a whole number ≥ 0");
    else input.availablePasses = n;
  }
  if (body.isPersonalized !== undefined && body.isPersonalized !== null) {
    const b = bool(body.isPersonalized);
    if (b === undefined) problems.push("isPersonalized must be true or false");
    else input.isPersonalized = b;
  }
  const expiry = body.expirationDate ?? body.expiry;
  if (expiry !== undefined) {
    if (expiry === null || expiry === "") input.expirationDate = null;
    else {
      const date = parseIsoDate(expiry);
      if (!date) problems.push("expirationDate must be an ISO 8601 date (e.g. 2030-10-01)");
      else input.expirationDate = date;
    }
  }
  for (const [key, min] of [
    ["ttlInDays", 1],
    ["maxResultLocations", 1],
  ] as const) {
    if (body[key] === undefined) continue;
    if (body[key] === null) {
      input[key] = null;
      continue;
    }
    const n = integer(body[key]);
    if (n === undefined || n < min || n > 100_000) problems.push(`${key} must be a whole number ≥ ${min}`);
    else input[key] = n;
  }
  if (body.locationRadius !== undefined) {
    const r = body.locationRadius;
    if (r === null) input.locationRadius = null;
    else if (typeof r !== "number" || !(r > 0) || r > 25_000)
      problems.push("locationRadius must be a positive number of miles");
    else input.locationRadius = r;
  }
  if (body.parameterEncoding !== undefined) {
    const e = body.parameterEncoding;
    if (e === null || e === "" || e === "none") input.parameterEncoding = null;
    else if (e !== "base64") problems.push('parameterEncoding must be "base64" (or absent)');
    else input.parameterEncoding = e;
  }
  if (problems.length) throw new InvalidInput(problems);
  return input;
}

/**
 * An absolute http(s) URL in its ASCII form (host in punycode, path and query percent-encoded), ready for a
 * Location header; undefined for anything else (other schemes, credentials, no host, white space).
 */
export function httpUrl(text: string): string | undefined {
  if (/\s/.test(text)) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return undefined;
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.hostname || url.username || url.password) {
    return undefined;
  }
  return url.href;
}
