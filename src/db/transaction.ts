// Transactions, and what to do when Postgres refuses one as a deadlock or a serialization failure: such a
// transaction changed nothing, so it is run again (a few times, after a short random pause) instead of failing the
// request. The lock order that keeps these rare is in docs/concurrency.md.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { hasErrorCode } from "./driver-errors.js";

/** SQLSTATEs of a transaction Postgres aborted to break a conflict: serialization failure, deadlock. */
const CONFLICT_CODES = new Set(["40001", "40P01"]);

/** Attempts of a transaction that keeps meeting conflicts, before the error goes to the caller. */
export const CONFLICT_ATTEMPTS = 5;

/** A deadlock or serialization failure. */
export const isConflict = (error: unknown): boolean => hasErrorCode(error, CONFLICT_CODES);

/** Runs `work` again while it fails with a conflict, at most `attempts` times, pausing 5–40 ms × 2^attempt. */
export async function retryingConflicts<T>(work: () => Promise<T>, attempts = CONFLICT_ATTEMPTS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isConflict(error)) throw error;
      // Jitter, so the transactions that met each other do not meet again at once.
      await sleep((5 + Math.random() * 35) * 2 ** (attempt - 1));
    }
  }
}

/**
 * One transaction on a pooled connection: committed when `work` resolves, rolled back when it throws, and run again
 * when Postgres aborts it as a deadlock or serialization failure. `work` must therefore only touch the database;
 * work with effects outside it (an HTTP call) passes `retry: false` and is retried by its job instead.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { retry?: boolean } = {},
): Promise<T> {
  const once = async () => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  };
  return options.retry === false ? once() : retryingConflicts(once);
}

/** The statement time limit of a transaction whose statements reach every pass of a template or project. */
export const LONG_STATEMENT_TIMEOUT = "5min";

/**
 * Raises the statement time limit for the rest of the current transaction (only inside one): for the set-based
 * changes that reach every pass of a template or a project, whose time grows with its size.
 */
export async function allowLongStatements(db: { query(text: string): Promise<unknown> }): Promise<void> {
  await db.query(`SET LOCAL statement_timeout = '${LONG_STATEMENT_TIMEOUT}'`);
}
