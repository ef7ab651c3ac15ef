// The template-bulk-update job. Each batch is one transaction that locks the ticket, clears the published
// override paths on the next passes (by id, past the ticket's cursor), bumps their versions, records their
// "pass changed" events and advances the cursor — so a crash anywhere resumes exactly where it stopped and
// every pass is updated exactly once, however often the job runs.
import type pg from "pg";
import { inTransaction } from "../db/transaction.js";
import { recordPassEvents } from "../events/pass-event-store.js";
import { AUDIENCE_UPDATE } from "./audience-update.js";
import { addJob } from "./queue-store.js";
import { claimStalledTickets, clearOverridesBatch, countBatch, lockTicket } from "./ticket-store.js";

export const BULK_UPDATE = "template-bulk-update";
const BATCH_SIZE = 2000;

/** Runs (or resumes) the bulk update of ticket `ticketId` to the end. */
export async function runBulkUpdate(pool: pg.Pool, ticketId: number, batchSize = BATCH_SIZE): Promise<void> {
  for (;;) {
    const finished = await inTransaction(pool, async (client) => {
      const ticket = await lockTicket(client, ticketId);
      if (!ticket || ticket.status === "done" || ticket.status === "failed") return true;
      const ids = await clearOverridesBatch(client, ticket, ticket.payload.paths ?? [], batchSize);
      await recordPassEvents(client, ids, "updated");
      const last = ids.length < batchSize;
      await countBatch(client, ticketId, { done: ids.length, last, cursor: ids.length ? Math.max(...ids) : undefined });
      return last;
    });
    if (finished) return;
  }
}

/**
 * Re-queues batched tickets (bulk updates, audience updates) whose worker died (no progress for `staleAfterMs`):
 * the queue keeps a crashed worker's job locked for hours, and each ticket's cursor makes a second runner safe.
 */
export async function requeueStalledTickets(pool: pg.Pool, staleAfterMs: number): Promise<number> {
  const rows = await claimStalledTickets(pool, [BULK_UPDATE, AUDIENCE_UPDATE], staleAfterMs);
  for (const { id, kind } of rows) await addJob(pool, kind, { ticketId: id }, { jobKey: `${kind}:${id}:resume` });
  return rows.length;
}
