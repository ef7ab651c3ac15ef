// The values of a group update's body (`{"fields": {…}, "headers": {…}}`): the shape shared by the tag, segment
// and scheduled forms of a pass update.
import { InvalidInput } from "./invalid-input.js";
import { isObject } from "./values.js";

export interface ValueGroups {
  headers?: Record<string, unknown>;
  fields?: Record<string, unknown>;
}

/** The groups of `body` and the names it sets; a body that sets nothing is a 400. */
export function valueGroupsOf(body: unknown, where = "the body"): { groups: ValueGroups; names: string[] } {
  if (!isObject(body)) throw new InvalidInput([`${where} must be a JSON object with fields and/or headers`]);
  const groups: ValueGroups = {};
  for (const group of ["headers", "fields"] as const) {
    const value = body[group];
    if (value === undefined || value === null) continue;
    if (!isObject(value)) throw new InvalidInput([`${group} must be an object`]);
    groups[group] = value;
  }
  const names = [...Object.keys(groups.headers ?? {}), ...Object.keys(groups.fields ?? {})];
  if (names.length === 0) throw new InvalidInput(["name at least one field or header to update"]);
  return { groups, names };
}
