// Segments at rest (their criteria as JSON), and the start of a change to a segment's passes (an audience-update
// ticket, in one transaction with resolving who it reaches).
import type pg from "pg";
import type { PassQuery } from "../../audiences/audience.js";
import { segmentQuery } from "../../audiences/audience-store.js";
import type { Criteria } from "../../audiences/criteria.js";
import { inTransaction } from "../../db/transaction.js";
import { type AudienceChange, startAudienceUpdate } from "../../jobs/audience-update.js";

export interface SegmentRow {
  id: string;
  projectId: number;
  displayName: string | null;
  criteria: Criteria;
  createdAt: Date;
  updatedAt: Date;
}

const COLUMNS = `id, project_id AS "projectId", display_name AS "displayName", criteria, created_at AS "createdAt",
  updated_at AS "updatedAt"`;

export class SegmentRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(accountId: number, projectId: number, criteria: Criteria, displayName: string | null) {
    const { rows } = await this.pool.query<SegmentRow>(
      `INSERT INTO segments (account_id, project_id, criteria, display_name) VALUES ($1, $2, $3, $4)
       RETURNING ${COLUMNS}`,
      [accountId, projectId, JSON.stringify(criteria), displayName],
    );
    return rows[0]!;
  }

  async get(accountId: number, projectId: number, id: string): Promise<SegmentRow | undefined> {
    const { rows } = await this.pool.query<SegmentRow>(
      `SELECT ${COLUMNS} FROM segments WHERE account_id = $1 AND project_id = $2 AND id = $3`,
      [accountId, projectId, id],
    );
    return rows[0];
  }

  async list(
    accountId: number,
    projectId: number,
    page: { start: number; pageSize: number; order: "createdAt" | "updatedAt"; direction: "ASC" | "DESC" },
  ) {
    const column = page.order === "updatedAt" ? "updated_at" : "created_at";
    const [{ rows }, count] = await Promise.all([
      this.pool.query<SegmentRow>(
        `SELECT ${COLUMNS} FROM segments WHERE account_id = $1 AND project_id = $2
          ORDER BY ${column} ${page.direction}, id ${page.direction} OFFSET $3 LIMIT $4`,
        [accountId, projectId, page.start, page.pageSize],
      ),
      this.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM segments WHERE account_id = $1 AND project_id = $2",
        [accountId, projectId],
      ),
    ]);
    return { rows, count: count.rows[0]!.n };
  }

  /** Replaces the criteria and/or the name; undefined when there is no such segment. */
  async update(
    accountId: number,
    projectId: number,
    id: string,
    changes: { criteria?: Criteria; displayName?: string | null },
  ): Promise<SegmentRow | undefined> {
    const { rows } = await this.pool.query<SegmentRow>(
      `UPDATE segments SET criteria = COALESCE($4::jsonb, criteria),
         display_name = CASE WHEN $5 THEN $6 ELSE display_name END, updated_at = now()
        WHERE account_id = $1 AND project_id = $2 AND id = $3 RETURNING ${COLUMNS}`,
      [
        accountId,
        projectId,
        id,
        changes.criteria === undefined ? null : JSON.stringify(changes.criteria),
        changes.displayName !== undefined,
        changes.displayName ?? null,
      ],
    );
    return rows[0];
  }

  async delete(accountId: number, projectId: number, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "DELETE FROM segments WHERE account_id = $1 AND project_id = $2 AND id = $3",
      [accountId, projectId, id],
    );
    return rowCount === 1;
  }

  /** The query of the project's passes the criteria select now. */
  query(accountId: number, projectId: number, criteria: Criteria): Promise<PassQuery> {
    return segmentQuery(this.pool, accountId, projectId, criteria);
  }

  /** How many passes a query selects (the segment's size now). */
  async count(query: PassQuery): Promise<number> {
    const { rows } = await this.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (${query.sql}) a`,
      query.params,
    );
    return rows[0]!.n;
  }

  /** Starts an audience update of the passes `query` selects (see jobs/audience-update.ts). */
  startUpdate(
    accountId: number,
    query: PassQuery,
    describe: Record<string, unknown>,
    change: (templateIds: number[]) => Promise<AudienceChange>,
  ) {
    return inTransaction(this.pool, (client) => startAudienceUpdate(client, accountId, query, describe, change));
  }
}
