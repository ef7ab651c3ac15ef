// The values of a group update's body (`{"fields": {…}, "headers": {…}}`): the shape shared by the tag, segment
// and scheduled forms of a pass update.
import { InvalidInput } from "./invalid-input.js";
import { isObject } from "./values.js";

export interface ValueGroups {
  headers?: Record<string, unknown>;
  fields?: Record<string, unknown>;
}

/** The keys a value entry of a group update may set; others are dropped, never stored (docs/api.md). */
const ENTRY_KEYS = ["value", "label", "changeMessage"] as const;

/** An entry with only the keys a group update applies (anything but an object is left for the rules to refuse). */
function knownKeysOf(entry: unknown): unknown {
  if (!isObject(entry)) return entry;
  return Object.fromEntries(ENTRY_KEYS.filter((key) => key in entry).map((key) => [key, entry[key]]));
}

/**
 * The groups of `body` and the names it sets; a body that sets nothing is a 400. Each entry keeps only `value`,
 * `label` and `changeMessage`: what is stored for later (a schedule) holds nothing else a caller sent.
 */
export function valueGroupsOf(body: unknown, where = "the body"): { groups: ValueGroups; names: string[] } {
  if (!isObject(body)) throw new InvalidInput([`${where} must be a JSON object with fields and/or headers`]);
  const groups: ValueGroups = {};
  for (const group of ["headers", "fields"] as const) {
    const value = body[group];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) throw new InvalidInput([`${group} must be an object`]);
    groups[group] = Object.fromEntries(Object.entries(value).map(([name, entry]) => [name, knownKeysOf(entry)]));
  }
  const names = [...Object.keys(groups.headers ?? {}), ...Object.keys(groups.fields ?? {})];
  if (names.length === 0) throw new InvalidInput(["name at least one field or header to update"]);
  return { groups, names };
}

/**
 * Flight, event, passenger and attendee values as Airship writes them — a bare text or number (`"flightNumber":
 * "815"`) or an entry (`{"label", "value"}`) — as the entries a pass takes.
 */
export function asValueEntries(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      typeof value === "string" || typeof value === "number" || typeof value === "boolean" ? { value } : value,
    ]),
  );
}
