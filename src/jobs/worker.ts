// The job worker: one handler per job kind, plus the sweep that resumes bulk updates whose worker died.
import type { Task } from "graphile-worker";
import type pg from "pg";
import { DeliveryQueue } from "../deliveries/delivery-queue.js";
import { prunePassEvents } from "../events/pass-events.js";
import { collectUnreferencedImages } from "../images/image-repository.js";
import { AUDIENCE_UPDATE, runAudienceUpdate } from "./audience-update.js";
import { BULK_UPDATE, requeueStalledTickets, runBulkUpdate } from "./bulk-update.js";
import { PASS_CHANGED, PASSES_CHANGED, startWorker, TEMPLATE_CHANGED, type Worker } from "./queue.js";
import { type Round, startRoundLoop } from "./round-loop.js";

export interface PassChange {
  passId: number;
  version: number;
}

/**
 * Something that must follow passes' changes (APNs pushes, Google sync): called with one pass, or with a batch
 * of up to 2,000 from a set-based change. Must be idempotent (a failed call is retried with the same batch).
 */
export type PassChangedSubscriber = (changes: PassChange[]) => Promise<void>;

/** Something that must follow a template's own changes (the Google class). Must be idempotent. */
export type TemplateChangedSubscriber = (templateId: number) => Promise<void>;

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
  const passChanged: Task = async (payload) => {
    const { passId, version } = (payload ?? {}) as Record<string, unknown>;
    const id = positiveInteger(passId);
    const v = positiveInteger(version);
    if (id === undefined || v === undefined) return; // malformed: nothing to deliver, do not retry
    for (const subscriber of subscribers) await subscriber([{ passId: id, version: v }]);
  };
  const passesChanged: Task = async (payload) => {
    const raw = (payload as Record<string, unknown> | null)?.passes;
    const changes: PassChange[] = [];
    for (const pair of Array.isArray(raw) ? raw : []) {
      const id = positiveInteger(Array.isArray(pair) ? pair[0] : undefined);
      const v = positiveInteger(Array.isArray(pair) ? pair[1] : undefined);
      if (id !== undefined && v !== undefined) changes.push({ passId: id, version: v });
    }
    if (changes.length === 0) return;
    for (const subscriber of subscribers) await subscriber(changes);
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
    { concurrency: options.concurrency, pollIntervalMs: options.pollIntervalMs, log: options.log },
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
  const collect = async () => {
    await collectUnreferencedImages(pool, IMAGE_GRACE_MS).catch((error: unknown) =>
      options.log?.warn(`image collection failed: ${(error as Error).message}`),
    );
    await prunePassEvents(pool, options.passEventRetentionDays ?? 400).catch((error: unknown) =>
      options.log?.warn(`pass event pruning failed: ${(error as Error).message}`),
    );
    await new DeliveryQueue(pool)
      .pruneDelivered(DELIVERED_RETENTION_DAYS)
      .catch((error: unknown) => options.log?.warn(`delivery pruning failed: ${(error as Error).message}`));
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
