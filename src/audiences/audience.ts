// Who a group change reaches, within one project: the passes carrying a tag, those a segment's criteria select,
// those of a template, or a list of pass ids. Resolved to one SQL query of pass ids (segments through
// criteria.ts), which an audience update snapshots when it starts.
import type pg from "pg";
import type { Queryable } from "../db/queryable.js";
import { isObject } from "../domain/values.js";
import { notFound } from "../errors.js";
import { type Criteria, compileCriteria, tagsOf } from "./criteria.js";

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

/** The project's passes `criteria` select. */
export async function segmentQuery(
  db: Queryable,
  accountId: number,
  projectId: number,
  criteria: Criteria,
): Promise<PassQuery> {
  const names = tagsOf(criteria);
  const [{ rows: tags }, { rows: templates }, { rows: elsewhere }] = await Promise.all([
    db.query<{ id: number; name: string }>(
      "SELECT id, name FROM tags WHERE account_id = $1 AND name = ANY($2::text[])",
      [accountId, names],
    ),
    db.query<{ id: number }>("SELECT id FROM templates WHERE project_id = $1", [projectId]),
    db.query("SELECT 1 FROM templates WHERE account_id = $1 AND project_id <> $2 LIMIT 1", [accountId, projectId]),
  ]);
  // The project's passes by its template ids (read from the pass index, no join per pass); the ids become a
  // parameter only when the query uses them.
  const params: unknown[] = [];
  let templatesRef: string | undefined;
  const projectTemplates = () => {
    if (!templatesRef) {
      params.push(templates.map((t) => t.id));
      templatesRef = `$${params.length}::int[]`;
    }
    return templatesRef;
  };
  const universe = () => `SELECT id FROM passes WHERE template_id = ANY(${projectTemplates()})`;
  const selected = compileCriteria(criteria, new Map(tags.map((r) => [r.name, r.id])), universe, params);
  // Tags belong to the account: when the project holds all its templates, every pass the tag sets name is the
  // project's, and the sets are the answer — no pass of the project needs reading.
  if (elsewhere.length === 0) return { sql: `SELECT s.id FROM (${selected}) AS s(id)`, params };
  return {
    sql: `SELECT p.id FROM passes p WHERE p.template_id = ANY(${projectTemplates()}) AND p.id IN (${selected})`,
    params,
  };
}

export class AudienceResolver {
  constructor(private readonly pool: pg.Pool) {}

  /** The query of the audience's passes in the project; 404 for a segment or template not in it. */
  async query(accountId: number, projectId: number, audience: Audience, db: Queryable = this.pool): Promise<PassQuery> {
    const inProject = "SELECT p.id FROM passes p JOIN templates t ON t.id = p.template_id WHERE t.project_id = $1";
    if ("segmentId" in audience) {
      const { rows } = await db.query<{ criteria: Criteria }>(
        "SELECT criteria FROM segments WHERE id = $1 AND project_id = $2 AND account_id = $3",
        [audience.segmentId, projectId, accountId],
      );
      if (!rows[0]) throw notFound("Segment");
      return segmentQuery(db, accountId, projectId, rows[0].criteria);
    }
    if ("templateId" in audience) {
      const { rows } = await db.query("SELECT 1 FROM templates WHERE id = $1 AND project_id = $2 AND account_id = $3", [
        audience.templateId,
        projectId,
        accountId,
      ]);
      if (!rows[0]) throw notFound("Template");
      return { sql: `${inProject} AND p.template_id = $2`, params: [projectId, audience.templateId] };
    }
    if ("tag" in audience) {
      return {
        sql: `${inProject} AND p.id IN (SELECT pt.pass_id FROM pass_tags pt JOIN tags g ON g.id = pt.tag_id
                                         WHERE g.account_id = $2 AND g.name = $3)`,
        params: [projectId, accountId, audience.tag],
      };
    }
    return { sql: `${inProject} AND p.id = ANY($2::int[])`, params: [projectId, audience.passIds] };
  }
}
