// The job worker: one handler per job kind, plus the sweep that resumes bulk updates whose worker died.
import type { Task } from "graphile-worker";
import type pg from "pg";
import { BULK_UPDATE, requeueStalledBulkUpdates, runBulkUpdate } from "./bulk-update.js";
import { PASS_CHANGED, startWorker, type Worker } from "./queue.js";

/** Something that must follow a pass's changes (APNs pushes, Google sync). Must be idempotent. */
export type PassChangedSubscriber = (event: { passId: number; version: number }) => Promise<void>;

export interface JobWorkerOptions {
  subscribers?: PassChangedSubscriber[];
  concurrency?: number;
  pollIntervalMs?: number;
  /** A bulk update without progress for this long is resumed by another runner. */
  staleAfterMs?: number;
  /** Passes per bulk-update transaction. */
  batchSize?: number;
  log?: { warn(msg: string): void; error(msg: string): void };
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

export async function startJobWorker(pool: pg.Pool, options: JobWorkerOptions = {}): Promise<Worker> {
  const subscribers = options.subscribers ?? [];
  const passChanged: Task = async (payload) => {
    const { passId, version } = (payload ?? {}) as Record<string, unknown>;
    const id = positiveInteger(passId);
    const v = positiveInteger(version);
    if (id === undefined || v === undefined) return; // malformed: nothing to deliver, do not retry
    for (const subscriber of subscribers) await subscriber({ passId: id, version: v });
  };
  const bulkUpdate: Task = async (payload) => {
    const ticketId = positiveInteger((payload as Record<string, unknown> | null)?.ticketId);
    if (ticketId !== undefined) await runBulkUpdate(pool, ticketId, options.batchSize);
  };
  const worker = await startWorker(
    pool,
    { [PASS_CHANGED]: passChanged, [BULK_UPDATE]: bulkUpdate },
    { concurrency: options.concurrency, pollIntervalMs: options.pollIntervalMs, log: options.log },
  );
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const sweep = () =>
    requeueStalledBulkUpdates(pool, staleAfterMs).catch((error: unknown) =>
      options.log?.warn(`bulk update sweep failed: ${(error as Error).message}`),
    );
  await sweep();
  const timer = setInterval(sweep, Math.max(500, Math.floor(staleAfterMs / 2)));
  timer.unref();
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      clearInterval(timer);
      stopping ??= worker.stop();
      return stopping;
    },
  };
}
