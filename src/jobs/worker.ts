// The job worker: one handler per job kind, plus the sweep that resumes bulk updates whose worker died (jobs of
// dead workers in general are released by jobs/liveness.ts and resume from their checkpoints).
import type { Task } from "graphile-worker";
import type pg from "pg";
import { allowLongStatements, inTransaction } from "../db/transaction.js";
import { DeliveryQueue } from "../deliveries/delivery-store.js";
import type {
  JobContext,
  PassChange,
  PassChangedSubscriber,
  TemplateChangedSubscriber,
} from "../domain/wallet-port.js";
import { prunePassEvents } from "../events/pass-event-store.js";
import { collectUnreferencedImages } from "../images/image-repository.js";
import { AUDIENCE_UPDATE, runAudienceUpdate } from "./audience-update.js";
import { BULK_UPDATE, requeueStalledTickets, runBulkUpdate } from "./bulk-update.js";
import { JobCheckpoints } from "./checkpoint-store.js";
import type { LivenessOptions } from "./liveness.js";
import { startWorker, type Worker } from "./queue.js";
import { PASS_CHANGED, PASSES_CHANGED, TEMPLATE_CHANGED } from "./queue-store.js";
import { type Round, startRoundLoop } from "./round-loop.js";

export interface JobWorkerOptions {
  subscribers?: PassChangedSubscriber[];
  templateSubscribers?: TemplateChangedSubscriber[];
  concurrency?: number;
  pollIntervalMs?: number;
  /** A bulk update without progress for this long is resumed by another runner. */
  staleAfterMs?: number;
  /** Passes per bulk-update transaction. */
  batchSize?: number;
  log?: { warn(msg: string): void; error(msg: string): void };
  /** How often unreferenced images are collected and old pass events pruned (default hourly). */
  imageCollectionIntervalMs?: number;
  /** Pass events older than this many days are deleted (default 400). */
  passEventRetentionDays?: number;
  /** Heartbeats and the lease after which a silent worker's jobs are released (jobs/liveness.ts). */
  liveness?: LivenessOptions;
  /**
   * Periodic rounds, each in its own loop: outbound deliveries (callbacks and webhooks queued from the event log,
   * attempts made), due schedules started, daily activity counted. `intervalMs` is the pause when a round is idle.
   */
  rounds?: { name: string; round: Round; intervalMs: number }[];
}

/** Delivered callbacks are kept this long (the record of what receivers got); dead letters stay until replayed. */
const DELIVERED_RETENTION_DAYS = 30;

/** An unreferenced image younger than this is kept (its template or pass may be being saved). */
const IMAGE_GRACE_MS = 24 * 3_600_000;

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

export async function startJobWorker(pool: pg.Pool, options: JobWorkerOptions = {}): Promise<Worker> {
  const subscribers = options.subscribers ?? [];
  const checkpoints = new JobCheckpoints(pool);
  /** Runs every subscriber in the job's context; their checkpoints go once all of them succeeded. */
  const deliver = async (changes: PassChange[], { id: jobId, attempts }: { id: string; attempts: number }) => {
    let saved = false;
    const job: JobContext = {
      checkpoint: (name) => {
        const checkpoint = checkpoints.for(jobId, name);
        return {
          load: checkpoint.load,
          save: (c) => {
            saved = true;
            return checkpoint.save(c);
          },
        };
      },
    };
    for (const subscriber of subscribers) await subscriber(changes, job);
    // A rerun of a job that saved nothing this time may still have a checkpoint from before: clear it too.
    if (saved || attempts > 1) await checkpoints.clear(jobId);
  };
  const passChanged: Task = async (payload, helpers) => {
    const { passId, version } = (payload ?? {}) as Record<string, unknown>;
    const id = positiveInteger(passId);
    const v = positiveInteger(version);
    if (id === undefined || v === undefined) return; // malformed: nothing to deliver, do not retry
    await deliver([{ passId: id, version: v }], helpers.job);
  };
  const passesChanged: Task = async (payload, helpers) => {
    const raw = (payload as Record<string, unknown> | null)?.passes;
    const changes: PassChange[] = [];
    for (const pair of Array.isArray(raw) ? raw : []) {
      const id = positiveInteger(Array.isArray(pair) ? pair[0] : undefined);
      const v = positiveInteger(Array.isArray(pair) ? pair[1] : undefined);
      if (id !== undefined && v !== undefined) changes.push({ passId: id, version: v });
    }
    if (changes.length === 0) return;
    await deliver(changes, helpers.job);
  };
  const templateChanged: Task = async (payload) => {
    const templateId = positiveInteger((payload as Record<string, unknown> | null)?.templateId);
    if (templateId === undefined) return;
    for (const subscriber of options.templateSubscribers ?? []) await subscriber(templateId);
  };
  const bulkUpdate: Task = async (payload) => {
    const ticketId = positiveInteger((payload as Record<string, unknown> | null)?.ticketId);
    if (ticketId !== undefined) await runBulkUpdate(pool, ticketId, options.batchSize);
  };
  const audienceUpdate: Task = async (payload) => {
    const ticketId = positiveInteger((payload as Record<string, unknown> | null)?.ticketId);
    if (ticketId !== undefined) await runAudienceUpdate(pool, ticketId, options.batchSize);
  };
  const worker = await startWorker(
    pool,
    {
      [PASS_CHANGED]: passChanged,
      [PASSES_CHANGED]: passesChanged,
      [TEMPLATE_CHANGED]: templateChanged,
      [BULK_UPDATE]: bulkUpdate,
      [AUDIENCE_UPDATE]: audienceUpdate,
    },
    {
      concurrency: options.concurrency,
      pollIntervalMs: options.pollIntervalMs,
      log: options.log,
      liveness: options.liveness,
    },
  );
  const staleAfterMs = options.staleAfterMs ?? 60_000;
  const sweep = () =>
    requeueStalledTickets(pool, staleAfterMs).catch((error: unknown) =>
      options.log?.warn(`stalled ticket sweep failed: ${(error as Error).message}`),
    );
  await sweep();
  const timer = setInterval(sweep, Math.max(500, Math.floor(staleAfterMs / 2)));
  timer.unref();
  // Hourly housekeeping: images no template or pass names any more (replaced, or stored for a save that failed),
  // pass events past their retention, and delivered callbacks older than 30 days.
  // Each in a transaction of its own that may run long: what is pruned grows with the store, not with a request.
  const long = <T>(work: (client: pg.PoolClient) => Promise<T>) =>
    inTransaction(pool, async (client) => {
      await allowLongStatements(client);
      return work(client);
    });
  const collect = async () => {
    await long((client) => collectUnreferencedImages(client, IMAGE_GRACE_MS)).catch((error: unknown) =>
      options.log?.warn(`image collection failed: ${(error as Error).message}`),
    );
    await long((client) => prunePassEvents(client, options.passEventRetentionDays ?? 400)).catch((error: unknown) =>
      options.log?.warn(`pass event pruning failed: ${(error as Error).message}`),
    );
    await long((client) => new DeliveryQueue(client).pruneDelivered(DELIVERED_RETENTION_DAYS)).catch((error: unknown) =>
      options.log?.warn(`delivery pruning failed: ${(error as Error).message}`),
    );
    await checkpoints
      .prune()
      .catch((error: unknown) => options.log?.warn(`checkpoint pruning failed: ${(error as Error).message}`));
  };
  const imageTimer = setInterval(collect, options.imageCollectionIntervalMs ?? 3_600_000);
  imageTimer.unref();
  const loops = (options.rounds ?? []).map((r) => startRoundLoop(r.name, r.round, r.intervalMs, options.log));
  let stopping: Promise<void> | undefined;
  return {
    stop() {
      clearInterval(timer);
      clearInterval(imageTimer);
      stopping ??= Promise.all([worker.stop(), ...loops.map((loop) => loop.stop())]).then(() => undefined);
      return stopping;
    },
  };
}
