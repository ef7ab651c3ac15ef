// Opens the Postgres pool every store runs its SQL on.
import pg from "pg";
import { CONNECTION_CHECK_OPTION, dropConnectionsOfAbandonedStatements } from "./cancellation.js";
import { retryingConflicts } from "./transaction.js";

export interface DatabaseHandle {
  readonly pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * Opens a pool of at most `max` connections. With `statementTimeoutMs`, Postgres cancels
 * any statement of the pool's connections that runs longer (lock waits included): no request can hold a connection
 * for minutes. Statements known to be long (a change over every pass of a template) raise it for their transaction
 * (`allowLongStatements`).
 */
export function openDatabase(
  connectionString: string,
  max = 10,
  options: { statementTimeoutMs?: number } = {},
): DatabaseHandle {
  const pool = new pg.Pool({
    connectionString,
    max,
    idleTimeoutMillis: 30_000,
    options: CONNECTION_CHECK_OPTION,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client that loses its server must not crash the process; the pool replaces it.
  pool.on("error", () => {});
  retryStatementsOnConflict(pool);
  dropConnectionsOfAbandonedStatements(pool);
  let closed = false;
  return {
    pool,
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

/**
 * A statement run on the pool itself (outside a transaction) that Postgres aborted as a deadlock or serialization
 * failure changed nothing: it is run again, as transactions are (db/transaction.ts). Callback-style calls are left
 * as they are.
 */
function retryStatementsOnConflict(pool: pg.Pool): void {
  const query = pool.query.bind(pool) as (...args: unknown[]) => unknown;
  pool.query = ((...args: unknown[]) =>
    typeof args[args.length - 1] === "function"
      ? query(...args)
      : retryingConflicts(() => query(...args) as Promise<unknown>)) as typeof pool.query;
}

/**
 * A small pool of its own on the same database as `pool`, for work that must never wait behind the main pool's
 * queue (Google pacing slots taken inside a sync's transaction, job workers' heartbeats).
 */
export function sidePool(pool: pg.Pool, max: number): pg.Pool {
  const side = new pg.Pool({ ...pool.options, max, idleTimeoutMillis: 30_000, allowExitOnIdle: true });
  side.on("error", () => {}); // a dropped idle connection is replaced on the next query
  return side;
}
