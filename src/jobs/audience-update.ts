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
import { addJob, addPassChangedEvents } from "./queue-store.js";

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
  const ticket = await client.query<{ id: number }>(
    "INSERT INTO tickets (account_id, kind, status, payload) VALUES ($1, $2, 'pending', $3) RETURNING id",
    [accountId, AUDIENCE_UPDATE, JSON.stringify(describe)],
  );
  const ticketId = ticket.rows[0]!.id;
  const n = audience.params.length + 1;
  const inserted = await client.query(
    `INSERT INTO ticket_passes (ticket_id, pass_id) SELECT $${n}, a.id FROM (${audience.sql}) a ON CONFLICT DO NOTHING`,
    [...audience.params, ticketId],
  );
  const total = inserted.rowCount ?? 0;
  const { rows } = await client.query<{ templateId: number }>(
    `SELECT DISTINCT p.template_id AS "templateId" FROM ticket_passes tp JOIN passes p ON p.id = tp.pass_id
      WHERE tp.ticket_id = $1 ORDER BY 1`,
    [ticketId],
  );
  const { patches = [], notification } = await change(rows.map((r) => r.templateId));
  const byTemplate = Object.fromEntries(patches.map((p) => [String(p.templateId), p]));
  const status = total === 0 ? "done" : "pending";
  await client.query(
    `UPDATE tickets SET total = $2, status = $3, finished_at = CASE WHEN $3 = 'done' THEN now() END,
       payload = payload || jsonb_build_object('patches', $4::jsonb, 'notification', $5::jsonb)
     WHERE id = $1`,
    [ticketId, total, status, JSON.stringify(byTemplate), JSON.stringify(notification ?? null)],
  );
  if (total > 0) await addJob(client, AUDIENCE_UPDATE, { ticketId }, { jobKey: `${AUDIENCE_UPDATE}:${ticketId}` });
  return { ticketId, total };
}

/** The pass's overrides with its template's patch merged in (each named value merged into the pass's own). */
const PATCH = "($2::jsonb -> p.template_id::text)";
const MERGED = `p.overrides || jsonb_build_object(
  'headers', COALESCE(p.overrides->'headers', '{}'::jsonb) || COALESCE((
    SELECT jsonb_object_agg(e.key, COALESCE(p.overrides->'headers'->e.key, '{}'::jsonb) || e.value)
      FROM jsonb_each(COALESCE(${PATCH}->'overrides'->'headers', '{}'::jsonb)) e), '{}'::jsonb),
  'fields', COALESCE(p.overrides->'fields', '{}'::jsonb) || COALESCE((
    SELECT jsonb_object_agg(e.key, COALESCE(p.overrides->'fields'->e.key, '{}'::jsonb) || e.value)
      FROM jsonb_each(COALESCE(${PATCH}->'overrides'->'fields', '{}'::jsonb)) e), '{}'::jsonb))`;

/** Runs (or resumes) the audience update of ticket `ticketId` to the end. */
export async function runAudienceUpdate(pool: pg.Pool, ticketId: number, batchSize = BATCH_SIZE): Promise<void> {
  for (;;) {
    const finished = await inTransaction(pool, async (client) => {
      const { rows } = await client.query<{ status: string; payload: { patches?: unknown; notification?: unknown } }>(
        "SELECT status, payload FROM tickets WHERE id = $1 FOR UPDATE",
        [ticketId],
      );
      const ticket = rows[0];
      if (!ticket || ticket.status === "done" || ticket.status === "failed") return true;
      const note = ticket.payload.notification as AudienceChange["notification"] | null | undefined;
      const mode = note === "clear" ? "clear" : note ? "set" : "none";
      const set = typeof note === "object" && note !== null ? note : { value: null, label: null };
      const batch = await client.query<{ pass_id: number }>(
        `DELETE FROM ticket_passes WHERE ticket_id = $1 AND pass_id IN (
           SELECT pass_id FROM ticket_passes WHERE ticket_id = $1 ORDER BY pass_id LIMIT $2)
         RETURNING pass_id`,
        [ticketId, batchSize],
      );
      const batchIds = batch.rows.map((r) => r.pass_id);
      const updated = await client.query<{ id: number }>(
        `UPDATE passes p SET
           overrides = CASE $3::text
             WHEN 'set' THEN jsonb_set(${MERGED}, '{fields,${NOTIFICATION_FIELD}}',
               jsonb_build_object('value', $4::text, 'label', $5::text, 'changeMessage', '%@',
                 'fieldType', CASE WHEN t.vendor = 'Apple' THEN 'back' ELSE 'textModulesData' END))
             WHEN 'clear' THEN (${MERGED}) #- '{fields,${NOTIFICATION_FIELD}}'
             ELSE ${MERGED} END,
           images = (p.images - COALESCE(ARRAY(SELECT jsonb_array_elements_text(${PATCH}->'clearedImages')), '{}'))
                    || COALESCE(${PATCH}->'images', '{}'::jsonb),
           version = p.version + 1, updated_at = now()
          FROM templates t
         WHERE t.id = p.template_id AND ($2::jsonb ? p.template_id::text OR $3 <> 'none')
           AND p.id IN (SELECT id FROM passes WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE)
         RETURNING p.id`,
        [batchIds, JSON.stringify(ticket.payload.patches ?? {}), mode, set.value, set.label],
      );
      const ids = updated.rows.map((r) => r.id);
      await addPassChangedEvents(client, ids, mode === "set" ? "notified" : "updated");
      const last = batchIds.length < batchSize;
      await client.query(
        `UPDATE tickets SET done = done + $2, heartbeat_at = now(), updated_at = now(),
           status = CASE WHEN $3 THEN 'done' ELSE 'running' END, finished_at = CASE WHEN $3 THEN now() END
         WHERE id = $1`,
        [ticketId, batchIds.length, last],
      );
      return last;
    });
    if (finished) return;
  }
}
