// An audience as SQL: one query of pass ids (a segment's criteria compiled to a set expression over pass_tags —
// tag → the passes carrying it; and → INTERSECT, with its `not` children as EXCEPT; or → UNION; a lone not → the
// project's passes EXCEPT — which Postgres answers from the tag index).
import type pg from "pg";
import type { Queryable } from "../db/queryable.js";
import { notFound } from "../errors.js";
import type { Audience, PassQuery } from "./audience.js";
import { type Criteria, normalizeCriteria, tagsOf } from "./criteria.js";

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
    const inProject = "SELECT p.id FROM pass_facts p WHERE p.project_id = $1";
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

/**
 * The SQL of the set of pass ids the criteria select, over `universe` (called only where a `not` needs it: a query
 * of the project's pass ids). Tag ids come from `tagIds` (a tag the account does not have selects nothing); values
 * are added to `params` and referenced as $n.
 */
export function compileCriteria(
  criteria: Criteria,
  tagIds: Map<string, number>,
  universe: () => string,
  params: unknown[],
): string {
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const compile = (node: Criteria): string => {
    if ("tag" in node) {
      const id = tagIds.get(node.tag);
      return id === undefined
        ? "SELECT NULL::int WHERE false"
        : `SELECT pass_id FROM pass_tags WHERE tag_id = ${param(id)}`;
    }
    if ("not" in node) return `(${universe()}) EXCEPT (${compile(node.not)})`;
    if ("or" in node) return node.or.map((c) => `(${compile(c)})`).join(" UNION ");
    const positive = node.and.filter((c) => !("not" in c));
    const negative = node.and.filter((c): c is { not: Criteria } => "not" in c);
    const base = positive.length ? positive.map((c) => `(${compile(c)})`).join(" INTERSECT ") : `(${universe()})`;
    return negative.length ? `(${base}) EXCEPT ${negative.map((c) => `(${compile(c.not)})`).join(" EXCEPT ")}` : base;
  };
  return compile(normalizeCriteria(criteria));
}
