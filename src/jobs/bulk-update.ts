// The template-bulk-update job. Each batch is one transaction that locks the ticket, clears the published
// override paths on the next passes (by id, past the ticket's cursor), bumps their versions, records their
// "pass changed" events and advances the cursor — so a crash anywhere resumes exactly where it stopped and
// every pass is updated exactly once, however often the job runs.
import type pg from "pg";
import { inTransaction } from "../db/transaction.js";
import { AUDIENCE_UPDATE } from "./audience-update.js";
import { addJob, addPassChangedEvents } from "./queue-store.js";

export const BULK_UPDATE = "template-bulk-update";
const BATCH_SIZE = 2000;

interface TicketRow {
  id: number;
  status: string;
  template_id: number;
  cursor: number;
  payload: { paths: string[][]; maxPassId: number };
}

/** Runs (or resumes) the bulk update of ticket `ticketId` to the end. */
export async function runBulkUpdate(pool: pg.Pool, ticketId: number, batchSize = BATCH_SIZE): Promise<void> {
  for (;;) {
    const finished = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<TicketRow>(
        "SELECT id, status, template_id, cursor, payload FROM tickets WHERE id = $1 FOR UPDATE",
        [ticketId],
      );
      const ticket = rows[0];
      if (!ticket || ticket.status === "done" || ticket.status === "failed") return true;
      const paths = ticket.payload.paths ?? [];
      const clear = paths.map((_, i) => ` #- $${i + 5}::text[]`).join("");
      const updated = await client.query<{ id: number }>(
        `UPDATE passes p SET overrides = p.overrides${clear}, version = p.version + 1, updated_at = now()
         FROM (SELECT id FROM passes WHERE template_id = $1 AND id > $2 AND id <= $3
                ORDER BY id LIMIT $4 FOR NO KEY UPDATE) batch
         WHERE p.id = batch.id RETURNING p.id`,
        [ticket.template_id, ticket.cursor, ticket.payload.maxPassId ?? 0, batchSize, ...paths],
      );
      const ids = updated.rows.map((r) => r.id);
      await addPassChangedEvents(client, ids);
      const last = ids.length < batchSize;
      await client.query(
        `UPDATE tickets SET cursor = $2, done = done + $3, heartbeat_at = now(), updated_at = now(),
           status = CASE WHEN $4 THEN 'done' ELSE 'running' END,
           finished_at = CASE WHEN $4 THEN now() ELSE NULL END
         WHERE id = $1`,
        [ticketId, ids.length ? Math.max(...ids) : ticket.cursor, ids.length, last],
      );
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
  const { rows } = await pool.query<{ id: number; kind: string }>(
    `SELECT id, kind FROM tickets
      WHERE kind = ANY($1::text[]) AND status IN ('pending', 'running')
        AND COALESCE(heartbeat_at, created_at) < now() - make_interval(secs => $2::double precision / 1000)`,
    [[BULK_UPDATE, AUDIENCE_UPDATE], staleAfterMs],
  );
  for (const { id, kind } of rows) {
    await addJob(pool, kind, { ticketId: id }, { jobKey: `${kind}:${id}:resume` });
    await pool.query("UPDATE tickets SET heartbeat_at = now() WHERE id = $1", [id]);
  }
  return rows.length;
}
