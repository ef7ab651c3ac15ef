// Schedules at rest, and their running: each due schedule is claimed (row lock, SKIP LOCKED), started and marked
// done in one transaction — so it runs once however many workers look, and a server that was down runs it when it
// comes back (late, and recorded as such).
import type pg from "pg";
import { inTransaction } from "../../db/transaction.js";
import { AppError } from "../../errors.js";

export interface ScheduleRow {
  id: string;
  accountId: number;
  projectId: number;
  name: string | null;
  scheduledTime: Date;
  update: StoredUpdate;
  state: "pending" | "done" | "failed";
  ticketId: number | null;
  ranAt: Date | null;
  /** How long after scheduled_time it started (from ran_at). */
  lateBySeconds: number | null;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The update as stored: the audience as the caller wrote it, the values and/or the notification. */
export interface StoredUpdate {
  audience: Record<string, unknown>;
  pass?: { fields?: Record<string, unknown>; headers?: Record<string, unknown> };
  notification?: { value: string; label: string };
}

const COLUMNS = `id, account_id AS "accountId", project_id AS "projectId", name, scheduled_time AS "scheduledTime",
  update, state, ticket_id AS "ticketId", ran_at AS "ranAt",
  round(EXTRACT(EPOCH FROM ran_at - scheduled_time))::int AS "lateBySeconds", error,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** Schedules started per round at most (the round runs again at once while there are more). */
const ROUND_LIMIT = 50;

export class ScheduleRepository {
  constructor(private readonly pool: pg.Pool) {}

  async create(accountId: number, projectId: number, name: string | null, at: Date, update: StoredUpdate) {
    const { rows } = await this.pool.query<ScheduleRow>(
      `INSERT INTO schedules (account_id, project_id, name, scheduled_time, update) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [accountId, projectId, name, at, JSON.stringify(update)],
    );
    return rows[0]!;
  }

  async get(accountId: number, projectId: number, id: string): Promise<ScheduleRow | undefined> {
    const { rows } = await this.pool.query<ScheduleRow>(
      `SELECT ${COLUMNS} FROM schedules WHERE account_id = $1 AND project_id = $2 AND id = $3`,
      [accountId, projectId, id],
    );
    return rows[0];
  }

  /** The project's schedules that have not run yet, soonest first. */
  /** A page of the project's schedules that have not run yet (soonest first), and how many there are. */
  async pending(
    accountId: number,
    projectId: number,
    page: { start: number; limit: number },
  ): Promise<{ rows: ScheduleRow[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.pool.query<ScheduleRow>(
        `SELECT ${COLUMNS} FROM schedules WHERE account_id = $1 AND project_id = $2 AND state = 'pending'
          ORDER BY scheduled_time, id LIMIT $3 OFFSET $4`,
        [accountId, projectId, page.limit, page.start],
      ),
      this.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM schedules WHERE account_id = $1 AND project_id = $2 AND state = 'pending'",
        [accountId, projectId],
      ),
    ]);
    return { rows: rows.rows, total: total.rows[0]?.n ?? 0 };
  }

  /** Replaces a schedule that has not run yet; undefined when there is none, 409 when it ran already. */
  async replace(
    accountId: number,
    projectId: number,
    id: string,
    name: string | null,
    at: Date,
    update: StoredUpdate,
  ): Promise<ScheduleRow | undefined> {
    // A schedule being started right now is locked by its runner: this waits, then sees it is no longer pending.
    const { rows } = await this.pool.query<ScheduleRow>(
      `UPDATE schedules SET name = $4, scheduled_time = $5, update = $6, updated_at = now()
        WHERE account_id = $1 AND project_id = $2 AND id = $3 AND state = 'pending' RETURNING ${COLUMNS}`,
      [accountId, projectId, id, name, at, JSON.stringify(update)],
    );
    if (rows[0]) return rows[0];
    if (await this.get(accountId, projectId, id)) {
      throw new AppError("SCHEDULE_ALREADY_RAN", "The schedule has run already; create a new one");
    }
    return undefined;
  }

  /** The templates of a project (whose field names a schedule's values must use). */
  async templateIds(projectId: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: number }>(
      "SELECT id FROM templates WHERE project_id = $1 ORDER BY id",
      [projectId],
    );
    return rows.map((r) => r.id);
  }

  async delete(accountId: number, projectId: number, id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "DELETE FROM schedules WHERE account_id = $1 AND project_id = $2 AND id = $3",
      [accountId, projectId, id],
    );
    return rowCount === 1;
  }

  /**
   * Starts the schedules due at `now`, each with `start` in the transaction that claims it; a schedule whose
   * audience or values cannot be used any more (an AppError) is marked failed with the reason. Returns how many.
   */
  async runDue(now: number, start: (client: pg.PoolClient, row: ScheduleRow) => Promise<number>): Promise<number> {
    let started = 0;
    while (started < ROUND_LIMIT) {
      const found = await inTransaction(this.pool, async (client) => {
        const { rows } = await client.query<ScheduleRow>(
          `SELECT ${COLUMNS} FROM schedules WHERE state = 'pending' AND scheduled_time <= $1
            ORDER BY scheduled_time, id LIMIT 1 FOR UPDATE SKIP LOCKED`,
          [new Date(now)],
        );
        const row = rows[0];
        if (!row) return false;
        await client.query("SAVEPOINT start_schedule");
        try {
          const ticketId = await start(client, row);
          await client.query(
            "UPDATE schedules SET state = 'done', ticket_id = $2, ran_at = $3, updated_at = now() WHERE id = $1",
            [row.id, ticketId, new Date(now)],
          );
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          await client.query("ROLLBACK TO SAVEPOINT start_schedule");
          await client.query(
            "UPDATE schedules SET state = 'failed', error = $2, ran_at = $3, updated_at = now() WHERE id = $1",
            [row.id, error.message, new Date(now)],
          );
        }
        return true;
      });
      if (!found) break;
      started++;
    }
    return started;
  }
}
