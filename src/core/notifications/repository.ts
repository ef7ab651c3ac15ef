// Storage of pass notifications: the message goes into (or out of) one field of each chosen pass — a back field on
// Apple passes, a text module on Google passes — with a new version, its events and a finished ticket, in one
// transaction, so Apple's pass-changed → APNs path and Google's message path carry it to the phones.
import type pg from "pg";
import { inTransaction } from "../../db/transaction.js";
import { MESSAGE_FIELD_TYPES } from "../../domain/vendors.js";
import { recordPassEvents } from "../../events/pass-event-store.js";
import { NOTIFICATION_FIELD } from "../../jobs/audience-update.js";

export type NotificationTarget = { passId: number } | { templateId: number } | { tagId: number };

export class NotificationRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Sets (message) or clears (null) the notification field of every pass the target names, in the account. Returns
   * the ticket id and how many passes it reached.
   */
  async apply(
    accountId: number,
    target: NotificationTarget,
    message: { value: string; label: string } | null,
  ): Promise<{ ticketId: number; count: number }> {
    const [where, value] =
      "passId" in target
        ? ["p.id = $2", target.passId]
        : "templateId" in target
          ? ["p.template_id = $2", target.templateId]
          : ["p.id IN (SELECT pass_id FROM pass_tags WHERE tag_id = $2)", target.tagId];
    return inTransaction(this.pool, async (client) => {
      const set = message
        ? `jsonb_set(p.overrides || jsonb_build_object('fields', COALESCE(p.overrides->'fields', '{}'::jsonb)),
             '{fields,${NOTIFICATION_FIELD}}',
             jsonb_build_object('value', $3::text, 'label', $4::text, 'changeMessage', '%@',
               'fieldType', $5::jsonb ->> t.vendor))`
        : `p.overrides #- '{fields,${NOTIFICATION_FIELD}}'`;
      const { rows } = await client.query<{ id: number }>(
        `UPDATE passes p SET overrides = ${set}, version = p.version + 1, updated_at = now()
           FROM templates t
          WHERE t.id = p.template_id
            AND p.id IN (SELECT p.id FROM passes p WHERE p.account_id = $1 AND ${where} ORDER BY p.id FOR NO KEY UPDATE)
          RETURNING p.id`,
        message ? [accountId, value, message.value, message.label, MESSAGE_FIELD_TYPES] : [accountId, value],
      );
      const ids = rows.map((r) => r.id);
      await recordPassEvents(client, ids, message ? ["updated", "notified"] : "updated");
      const ticket = await client.query<{ id: number }>(
        `INSERT INTO tickets (account_id, kind, status, pass_id, template_id, payload, total, done, finished_at)
         VALUES ($1, 'notification', 'done', $2, $3, $4, $5, $5, now()) RETURNING id`,
        [
          accountId,
          "passId" in target ? target.passId : null,
          "templateId" in target ? target.templateId : null,
          JSON.stringify({ target, cleared: message === null }),
          ids.length,
        ],
      );
      return { ticketId: ticket.rows[0]!.id, count: ids.length };
    });
  }
}
