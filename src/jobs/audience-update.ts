// The audience-update job: a pass update (and/or a notification) for every pass of an audience — a segment, a tag,
// a template, a list — used by segment updates, segment notifications and schedules. Its audience is resolved
// once, when it starts, into ticket_passes; each batch is one transaction that takes the next passes off that
// list, updates them (each with its template's values), records their events and counts them on the ticket — so
// a crash anywhere resumes where it stopped and every pass is updated exactly once, however often the job runs.
import type pg from "pg";
import type { PassQuery } from "../audiences/audience.js";
import type { Queryable } from "../db/queryable.js";
import { inTransaction } from "../db/transaction.js";
import type { PassOverrides } from "../domain/field-model.js";
import { recordPassEvents } from "../events/pass-event-store.js";
import { addJob } from "./queue-store.js";
import {
  applyAudienceBatch,
  countBatch,
  createAudienceTicket,
  lockTicket,
  setAudienceChange,
  takeAudienceBatch,
} from "./ticket-store.js";

export const AUDIENCE_UPDATE = "audience-update";
const BATCH_SIZE = 2000;
/** The field a notification lives in (the newest replaces the older). */
export const NOTIFICATION_FIELD = "lastNotification";

/** One template's share of an update: the values its passes take. */
export interface TemplatePatch {
  templateId: number;
  overrides: PassOverrides;
  /** Image headers → stored image (set), and image headers cleared. */
  images: Record<string, string>;
  clearedImages: string[];
}

export interface AudienceChange {
  /** Values per template (a template without an entry keeps its passes' values). */
  patches?: TemplatePatch[];
  /** A message to show (set), to take away (clear), or neither. */
  notification?: { value: string; label: string } | "clear";
}

/**
 * Starts an audience update in the caller's transaction: a ticket, its audience resolved into ticket_passes, the
 * values from `patchesFor(templates of those passes)`, and the job. Answers the ticket id and how many passes.
 */
export async function startAudienceUpdate(
  client: Queryable,
  accountId: number,
  audience: PassQuery,
  describe: Record<string, unknown>,
  change: (templateIds: number[]) => Promise<AudienceChange>,
): Promise<{ ticketId: number; total: number }> {
  const { ticketId, total, templateIds } = await createAudienceTicket(
    client,
    accountId,
    AUDIENCE_UPDATE,
    audience,
    describe,
  );
  const { patches = [], notification } = await change(templateIds);
  const byTemplate = Object.fromEntries(patches.map((p) => [String(p.templateId), p]));
  await setAudienceChange(client, ticketId, total, byTemplate, notification);
  if (total > 0) await addJob(client, AUDIENCE_UPDATE, { ticketId }, { jobKey: `${AUDIENCE_UPDATE}:${ticketId}` });
  return { ticketId, total };
}

/** Runs (or resumes) the audience update of ticket `ticketId` to the end. */
export async function runAudienceUpdate(pool: pg.Pool, ticketId: number, batchSize = BATCH_SIZE): Promise<void> {
  for (;;) {
    const finished = await inTransaction(pool, async (client) => {
      const ticket = await lockTicket<{ status: string; payload: { patches?: unknown; notification?: unknown } }>(
        client,
        ticketId,
      );
      if (!ticket || ticket.status === "done" || ticket.status === "failed") return true;
      const note = ticket.payload.notification as AudienceChange["notification"] | null | undefined;
      const mode = note === "clear" ? "clear" : note ? "set" : "none";
      const set = typeof note === "object" && note !== null ? note : { value: null, label: null };
      const batchIds = await takeAudienceBatch(client, ticketId, batchSize);
      const ids = await applyAudienceBatch(
        client,
        batchIds,
        ticket.payload.patches,
        { mode, value: set.value, label: set.label },
        NOTIFICATION_FIELD,
      );
      await recordPassEvents(client, ids, mode === "set" ? "notified" : "updated");
      const last = batchIds.length < batchSize;
      await countBatch(client, ticketId, { done: batchIds.length, last });
      return last;
    });
    if (finished) return;
  }
}
