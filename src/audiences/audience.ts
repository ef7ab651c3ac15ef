// Who a group change reaches, within one project: the passes carrying a tag, those a segment's criteria select,
// those of a template, or a list of pass ids. audience-store.ts resolves one to a SQL query of pass ids, which an
// audience update snapshots when it starts.
import { isObject } from "../domain/values.js";

export type Audience = { tag: string } | { segmentId: string } | { templateId: number } | { passIds: number[] };

export const MAX_AUDIENCE_PASS_IDS = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An audience as a request writes it: {"tag"}, {"segment"} (or "segmentId"), {"template"} (or "templateId"), {"passIds"}. */
export function parseAudience(raw: unknown, path = "audience"): { audience: Audience } | { problems: string[] } {
  const problem = (text: string) => ({ problems: [`${path}${text}`] });
  if (!isObject(raw)) return problem(': must be an object: {"tag"}, {"segment"}, {"template"} or {"passIds"}');
  const keys = Object.keys(raw);
  if (keys.length !== 1) return problem(': must name exactly one of "tag", "segment", "template", "passIds"');
  const [key] = keys as [string];
  const value = raw[key];
  switch (key) {
    case "tag":
      return typeof value === "string" && value.trim() !== "" && value.length <= 255
        ? { audience: { tag: value.trim() } }
        : problem(".tag: must be a non-empty string of at most 255 characters");
    case "segment":
    case "segmentId":
      return typeof value === "string" && UUID.test(value)
        ? { audience: { segmentId: value.toLowerCase() } }
        : problem(`.${key}: must be a segment id`);
    case "template":
    case "templateId":
      return Number.isSafeInteger(value) && (value as number) > 0 && (value as number) <= 2_147_483_647
        ? { audience: { templateId: value as number } }
        : problem(`.${key}: must be a template id`);
    case "passIds":
    case "passes":
      if (!Array.isArray(value) || value.length === 0 || value.length > MAX_AUDIENCE_PASS_IDS) {
        return problem(`.${key}: must be a list of 1 to ${MAX_AUDIENCE_PASS_IDS} pass ids`);
      }
      if (value.some((id) => !Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647)) {
        return problem(`.${key}: every entry must be a pass id`);
      }
      return { audience: { passIds: [...new Set(value as number[])] } };
    default:
      return problem(`: unknown audience "${key.slice(0, 64)}"; use "tag", "segment", "template" or "passIds"`);
  }
}

/** A query of pass ids (one column, `id`) and its parameters. */
export interface PassQuery {
  sql: string;
  params: unknown[];
}
