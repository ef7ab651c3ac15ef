// Storage of flights and events (table link_groups, one row per flight or event of a project) and their pass
// groups (pass_group_members). Adaptive links point at them (adaptive_links.flight_id / event_id); the passes made
// from those links are a flight's or event's passes.
import type pg from "pg";
import type { PassQuery } from "../../audiences/audience.js";
import type { Queryable } from "../../db/queryable.js";
import type { Key } from "../ids.js";
import type { Page } from "../pagination.js";

export type TravelKind = "flight" | "event";

export interface TravelRow {
  id: number;
  projectId: number;
  externalId: string | null;
  fields: Record<string, unknown>;
  semantics: Record<string, unknown> | null;
  passGroups: string[];
  createdAt: Date;
  updatedAt: Date;
}

const SELECT = `
  SELECT g.id, g.project_id AS "projectId", g.external_id AS "externalId", g.fields, g.semantics,
         g.created_at AS "createdAt", g.updated_at AS "updatedAt",
         COALESCE((SELECT array_agg(m.name ORDER BY m.name) FROM pass_group_members m WHERE m.group_id = g.id),
                  '{}') AS "passGroups"
    FROM link_groups g`;

/** The adaptive-link column that points at each kind. */
const COLUMN: Record<TravelKind, "flight_id" | "event_id"> = { flight: "flight_id", event: "event_id" };

export type TravelOrder = "id" | "createdAt" | "updatedAt";
const ORDER_SQL: Record<TravelOrder, string> = { id: "g.id", createdAt: "g.created_at", updatedAt: "g.updated_at" };

export class TravelStore {
  constructor(readonly pool: pg.Pool) {}

  async find(projectId: number, kind: TravelKind, key: Key, db: Queryable = this.pool): Promise<TravelRow | undefined> {
    const [where, value] = "id" in key ? ["g.id = $3", key.id] : ["g.external_id = $3", key.externalId];
    const { rows } = await db.query<TravelRow>(`${SELECT} WHERE g.project_id = $1 AND g.kind = $2 AND ${where}`, [
      projectId,
      kind,
      value,
    ]);
    return rows[0];
  }

  /** The row, locked for the caller's transaction (concurrent updates of one flight queue, none is lost). */
  async lock(projectId: number, kind: TravelKind, key: Key, db: Queryable): Promise<number | undefined> {
    const [where, value] = "id" in key ? ["id = $3", key.id] : ["external_id = $3", key.externalId];
    const { rows } = await db.query<{ id: number }>(
      `SELECT id FROM link_groups WHERE project_id = $1 AND kind = $2 AND ${where} FOR NO KEY UPDATE`,
      [projectId, kind, value],
    );
    return rows[0]?.id;
  }

  /** A new flight or event; undefined when the project has one with this external id already. */
  async create(
    projectId: number,
    kind: TravelKind,
    externalId: string | null,
    fields: Record<string, unknown>,
    semantics: Record<string, unknown> | undefined,
    db: Queryable = this.pool,
  ): Promise<number | undefined> {
    const { rows } = await db.query<{ id: number }>(
      `INSERT INTO link_groups (project_id, kind, external_id, fields, semantics) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (project_id, kind, external_id) DO NOTHING RETURNING id`,
      [projectId, kind, externalId, JSON.stringify(fields), semantics ? JSON.stringify(semantics) : null],
    );
    return rows[0]?.id;
  }

  /** Merges `fields` into the row's (each named field replaced, the others kept). */
  async mergeFields(id: number, fields: Record<string, unknown>, db: Queryable = this.pool): Promise<void> {
    await db.query("UPDATE link_groups SET fields = fields || $2::jsonb, updated_at = now() WHERE id = $1", [
      id,
      JSON.stringify(fields),
    ]);
  }

  /** Replaces the row's explicit semantic tags (null clears them). */
  async setSemantics(id: number, semantics: Record<string, unknown> | null, db: Queryable = this.pool): Promise<void> {
    await db.query("UPDATE link_groups SET semantics = $2, updated_at = now() WHERE id = $1", [
      id,
      semantics ? JSON.stringify(semantics) : null,
    ]);
  }

  async delete(projectId: number, kind: TravelKind, key: Key, db: Queryable = this.pool): Promise<boolean> {
    const [where, value] = "id" in key ? ["id = $3", key.id] : ["external_id = $3", key.externalId];
    const { rowCount } = await db.query(`DELETE FROM link_groups WHERE project_id = $1 AND kind = $2 AND ${where}`, [
      projectId,
      kind,
      value,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async list(
    projectId: number,
    kind: TravelKind,
    page: Page<TravelOrder>,
  ): Promise<{ count: number; rows: TravelRow[] }> {
    const [{ rows }, { rows: total }] = await Promise.all([
      this.pool.query<TravelRow>(
        `${SELECT} WHERE g.project_id = $1 AND g.kind = $2
          ORDER BY ${ORDER_SQL[page.order]} ${page.direction}, g.id ${page.direction} LIMIT $3 OFFSET $4`,
        [projectId, kind, page.pageSize, page.start],
      ),
      this.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM link_groups WHERE project_id = $1 AND kind = $2", [
        projectId,
        kind,
      ]),
    ]);
    return { count: total[0]!.n, rows };
  }

  /** Adds the row to pass groups; answers the names it was not in before. */
  async addToPassGroups(id: number, names: string[], db: Queryable = this.pool): Promise<string[]> {
    if (names.length === 0) return [];
    const { rows } = await db.query<{ name: string }>(
      `INSERT INTO pass_group_members (group_id, name) SELECT $1, unnest($2::text[])
       ON CONFLICT DO NOTHING RETURNING name`,
      [id, names],
    );
    return rows.map((r) => r.name);
  }

  /** Takes the row out of the named pass groups (all of them without names); answers the names it left. */
  async removeFromPassGroups(id: number, names: string[] | undefined, db: Queryable = this.pool): Promise<string[]> {
    const { rows } = await db.query<{ name: string }>(
      names === undefined
        ? "DELETE FROM pass_group_members WHERE group_id = $1 RETURNING name"
        : "DELETE FROM pass_group_members WHERE group_id = $1 AND name = ANY($2::text[]) RETURNING name",
      names === undefined ? [id] : [id, names],
    );
    return rows.map((r) => r.name).sort();
  }

  /** The ids of a pass group's flights (events) in the project, locked for the caller's transaction. */
  async lockPassGroup(projectId: number, kind: TravelKind, name: string, db: Queryable): Promise<number[]> {
    const { rows } = await db.query<{ id: number }>(
      `SELECT g.id FROM link_groups g JOIN pass_group_members m ON m.group_id = g.id
        WHERE g.project_id = $1 AND g.kind = $2 AND m.name = $3 ORDER BY g.id FOR NO KEY UPDATE OF g`,
      [projectId, kind, name],
    );
    return rows.map((r) => r.id);
  }

  async byIds(ids: number[], db: Queryable = this.pool): Promise<TravelRow[]> {
    const { rows } = await db.query<TravelRow>(`${SELECT} WHERE g.id = ANY($1::int[]) ORDER BY g.id`, [ids]);
    return rows;
  }

  /** The query of the passes made from the adaptive links of these flights (events): an audience update's. */
  passesOf(kind: TravelKind, ids: number[]): PassQuery {
    return {
      sql: `SELECT p.id FROM passes p JOIN adaptive_links l ON l.id = p.adaptive_link_id
             WHERE l.${COLUMN[kind]} = ANY($1::int[])`,
      params: [ids],
    };
  }
}
