// The job queue: graphile-worker on the same Postgres, its schema installed once per database and its workers
// started with heartbeats. Jobs are added by jobs/queue-store.ts in the writer's transaction and run at least once:
// every handler is idempotent. See docs/jobs.md.

import { EventEmitter } from "node:events";
import { Logger, type Runner, run, runMigrations, type TaskList, type WorkerEvents } from "graphile-worker";
import pg from "pg";
import { type LivenessOptions, WorkerLiveness } from "./liveness.js";

interface LogSink {
  warn(msg: string): void;
  error(msg: string): void;
}

/** Serializes installing the queue schema across processes (graphile-worker's own migrations are not). */
const QUEUE_SCHEMA_LOCK = 7_246_310_118;

/**
 * Creates or updates graphile-worker's own schema (idempotent), one process at a time: processes starting together
 * on a fresh database would otherwise race to create it, and all but one fail.
 */
export async function installQueueSchema(pool: pg.Pool): Promise<void> {
  // The lock lives on its own connection, so a pool of one connection cannot wait on itself.
  const lock = new pg.Client(pool.options);
  await lock.connect();
  try {
    await lock.query("SELECT pg_advisory_lock($1)", [QUEUE_SCHEMA_LOCK]);
    try {
      await runMigrations({ pgPool: pool, logger: quietLogger() });
    } finally {
      await lock.query("SELECT pg_advisory_unlock($1)", [QUEUE_SCHEMA_LOCK]).catch(() => {});
    }
  } finally {
    await lock.end();
  }
}

function quietLogger(sink?: LogSink): Logger {
  return new Logger(() => (level, message) => {
    if (level === "error") sink?.error(`queue: ${message}`);
    else if (level === "warning") sink?.warn(`queue: ${message}`);
  });
}

export interface Worker {
  stop(): Promise<void>;
}

/**
 * Starts processing jobs with `tasks`, with heartbeats for its workers and the release of dead workers' jobs
 * (jobs/liveness.ts); `stop()` waits for running jobs and is safe to call twice.
 */
export async function startWorker(
  pool: pg.Pool,
  tasks: TaskList,
  options: { concurrency?: number; pollIntervalMs?: number; log?: LogSink; liveness?: LivenessOptions } = {},
): Promise<Worker> {
  const liveness = new WorkerLiveness(pool, { log: options.log, ...options.liveness });
  const events: WorkerEvents = new EventEmitter();
  events.on("worker:create", ({ worker }) => liveness.track(worker.workerId));
  const runner: Runner = await run({
    pgPool: pool,
    taskList: tasks,
    concurrency: options.concurrency ?? 4,
    pollInterval: options.pollIntervalMs ?? 1000,
    noHandleSignals: true,
    logger: quietLogger(options.log),
    events,
  });
  liveness.start();
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= runner
        .stop()
        .catch(() => {})
        .then(() => liveness.stop());
      return stopped;
    },
  };
}
