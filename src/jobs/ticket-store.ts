// The SQL of the batched ticket jobs (template bulk updates, audience updates): a ticket locked for its batch, the
// batch of passes changed, the ticket's progress counted. Each function runs in the caller's transaction, so a
// batch and its progress commit together (docs/jobs.md).
import type { PassQuery } from "../audiences/audience.js";
import type { Queryable } from "../db/queryable.js";
import { MESSAGE_FIELD_TYPES } from "../domain/vendors.js";

export interface BulkTicket {
  id: number;
  status: string;
  template_id: number;
  cursor: number;
  payload: { paths: string[][]; maxPassId: number };
}

/** The ticket, locked until the caller's transaction ends. */
export async function lockTicket<T = BulkTicket>(db: Queryable, ticketId: number): Promise<T | undefined> {
  const { rows } = await db.query<T & object>("SELECT * FROM tickets WHERE id = $1 FOR UPDATE", [ticketId]);
  return rows[0];
}

/** Clears `paths` from the overrides of the template's next passes after `cursor`; answers their ids. */
export async function clearOverridesBatch(
  db: Queryable,
  ticket: BulkTicket,
  paths: string[][],
  batchSize: number,
): Promise<number[]> {
  const clear = paths.map((_, i) => ` #- $${i + 5}::text[]`).join("");
  const { rows } = await db.query<{ id: number }>(
    `UPDATE passes p SET overrides = p.overrides${clear}, version = p.version + 1, updated_at = now()
     FROM (SELECT id FROM passes WHERE template_id = $1 AND id > $2 AND id <= $3
            ORDER BY id LIMIT $4 FOR NO KEY UPDATE) batch
     WHERE p.id = batch.id RETURNING p.id`,
    [ticket.template_id, ticket.cursor, ticket.payload.maxPassId ?? 0, batchSize, ...paths],
  );
  return rows.map((r) => r.id);
}

/** Counts a batch on the ticket (and moves its cursor, for cursor-driven tickets); `last` finishes it. */
export async function countBatch(
  db: Queryable,
  ticketId: number,
  batch: { done: number; last: boolean; cursor?: number },
): Promise<void> {
  await db.query(
    `UPDATE tickets SET cursor = COALESCE($4, cursor), done = done + $2, heartbeat_at = now(), updated_at = now(),
       status = CASE WHEN $3 THEN 'done' ELSE 'running' END,
       finished_at = CASE WHEN $3 THEN now() ELSE NULL END
     WHERE id = $1`,
    [ticketId, batch.done, batch.last, batch.cursor ?? null],
  );
}

/** Pending or running tickets of `kinds` without progress for `staleAfterMs`; their heartbeat is renewed. */
export async function claimStalledTickets(
  db: Queryable,
  kinds: string[],
  staleAfterMs: number,
): Promise<{ id: number; kind: string }[]> {
  const { rows } = await db.query<{ id: number; kind: string }>(
    `UPDATE tickets SET heartbeat_at = now()
      WHERE kind = ANY($1::text[]) AND status IN ('pending', 'running')
        AND COALESCE(heartbeat_at, created_at) < now() - make_interval(secs => $2::double precision / 1000)
      RETURNING id, kind`,
    [kinds, staleAfterMs],
  );
  return rows;
}

/** A new audience ticket with its audience snapshotted into ticket_passes; answers its id, total and templates. */
export async function createAudienceTicket(
  db: Queryable,
  accountId: number,
  kind: string,
  audience: PassQuery,
  describe: Record<string, unknown>,
): Promise<{ ticketId: number; total: number; templateIds: number[] }> {
  const ticket = await db.query<{ id: number }>(
    "INSERT INTO tickets (account_id, kind, status, payload) VALUES ($1, $2, 'pending', $3) RETURNING id",
    [accountId, kind, JSON.stringify(describe)],
  );
  const ticketId = ticket.rows[0]!.id;
  const n = audience.params.length + 1;
  const inserted = await db.query(
    `INSERT INTO ticket_passes (ticket_id, pass_id) SELECT $${n}, a.id FROM (${audience.sql}) a ON CONFLICT DO NOTHING`,
    [...audience.params, ticketId],
  );
  const { rows } = await db.query<{ templateId: number }>(
    `SELECT DISTINCT p.template_id AS "templateId" FROM ticket_passes tp JOIN passes p ON p.id = tp.pass_id
      WHERE tp.ticket_id = $1 ORDER BY 1`,
    [ticketId],
  );
  return { ticketId, total: inserted.rowCount ?? 0, templateIds: rows.map((r) => r.templateId) };
}

/** Stores what an audience ticket applies (and its total); a ticket with no passes is done at once. */
export async function setAudienceChange(
  db: Queryable,
  ticketId: number,
  total: number,
  patches: Record<string, unknown>,
  notification: unknown,
): Promise<void> {
  const status = total === 0 ? "done" : "pending";
  await db.query(
    `UPDATE tickets SET total = $2, status = $3, finished_at = CASE WHEN $3 = 'done' THEN now() END,
       payload = payload || jsonb_build_object('patches', $4::jsonb, 'notification', $5::jsonb)
     WHERE id = $1`,
    [ticketId, total, status, JSON.stringify(patches), JSON.stringify(notification ?? null)],
  );
}

/** Takes the next `batchSize` passes off an audience ticket's list. */
export async function takeAudienceBatch(db: Queryable, ticketId: number, batchSize: number): Promise<number[]> {
  const { rows } = await db.query<{ pass_id: number }>(
    `DELETE FROM ticket_passes WHERE ticket_id = $1 AND pass_id IN (
       SELECT pass_id FROM ticket_passes WHERE ticket_id = $1 ORDER BY pass_id LIMIT $2)
     RETURNING pass_id`,
    [ticketId, batchSize],
  );
  return rows.map((r) => r.pass_id);
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

/**
 * Applies an audience ticket's change to a batch of passes: each template's patch merged into its passes' values
 * and images, and the notification set into (or cleared from) `field`. Answers the ids of the passes it changed.
 */
export async function applyAudienceBatch(
  db: Queryable,
  passIds: number[],
  patches: unknown,
  notification: { mode: "set" | "clear" | "none"; value: string | null; label: string | null },
  field: string,
): Promise<number[]> {
  const { rows } = await db.query<{ id: number }>(
    `UPDATE passes p SET
       overrides = CASE $3::text
         WHEN 'set' THEN jsonb_set(${MERGED}, '{fields,${field}}',
           jsonb_build_object('value', $4::text, 'label', $5::text, 'changeMessage', '%@',
             'fieldType', $6::jsonb ->> t.vendor))
         WHEN 'clear' THEN (${MERGED}) #- '{fields,${field}}'
         ELSE ${MERGED} END,
       images = (p.images - COALESCE(ARRAY(SELECT jsonb_array_elements_text(${PATCH}->'clearedImages')), '{}'))
                || COALESCE(${PATCH}->'images', '{}'::jsonb),
       version = p.version + 1, updated_at = now()
      FROM templates t
     WHERE t.id = p.template_id AND ($2::jsonb ? p.template_id::text OR $3 <> 'none')
       AND p.id IN (SELECT id FROM passes WHERE id = ANY($1::int[]) ORDER BY id FOR NO KEY UPDATE)
     RETURNING p.id`,
    [
      passIds,
      JSON.stringify(patches ?? {}),
      notification.mode,
      notification.value,
      notification.label,
      MESSAGE_FIELD_TYPES,
    ],
  );
  return rows.map((r) => r.id);
}
