// Storage of tickets: reading one, and starting a template bulk update (the template's new design, its ticket and
// its job, in one transaction).
import type pg from "pg";
import type { Queryable } from "../../db/queryable.js";
import { inTransaction } from "../../db/transaction.js";
import type { TemplateDesign } from "../../domain/field-model.js";
import { BULK_UPDATE } from "../../jobs/bulk-update.js";
import { addJob, enqueueTemplateSync } from "../../jobs/queue-store.js";

export interface TicketRow {
  id: number;
  kind: string;
  status: string;
  templateId: number | null;
  passId: number | null;
  total: number;
  done: number;
  errors: unknown[];
  createdAt: Date;
  updatedAt: Date;
  finishedAt: Date | null;
}

export class TicketRepository {
  constructor(private readonly pool: pg.Pool) {}

  async find(accountId: number, id: number, db: Queryable = this.pool): Promise<TicketRow | undefined> {
    const { rows } = await db.query<TicketRow>(
      `SELECT id, kind, status, template_id AS "templateId", pass_id AS "passId", total, done, errors,
              created_at AS "createdAt", updated_at AS "updatedAt", finished_at AS "finishedAt"
         FROM tickets WHERE account_id = $1 AND id = $2`,
      [accountId, id],
    );
    return rows[0];
  }

  /**
   * In one transaction: the template takes its new design, a ticket records which override paths to clear on
   * which passes (those that exist now), and the job that does it is queued.
   */
  async startBulkUpdate(
    accountId: number,
    templateId: number,
    design: TemplateDesign,
    paths: string[][],
  ): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query("UPDATE templates SET design = $2, updated_at = now() WHERE id = $1", [templateId, design]);
      const { rows } = await client.query<{ total: number; max: number | null }>(
        "SELECT count(*)::int AS total, max(id) AS max FROM passes WHERE template_id = $1",
        [templateId],
      );
      const { total, max } = rows[0]!;
      const ticket = await client.query<{ id: number }>(
        `INSERT INTO tickets (account_id, kind, status, template_id, payload, total)
         VALUES ($1, $2, 'pending', $3, $4, $5) RETURNING id`,
        [accountId, BULK_UPDATE, templateId, JSON.stringify({ paths, maxPassId: max ?? 0 }), total],
      );
      const ticketId = ticket.rows[0]!.id;
      await addJob(client, BULK_UPDATE, { ticketId }, { jobKey: `${BULK_UPDATE}:${ticketId}` });
      await enqueueTemplateSync(client, templateId);
      return ticketId;
    });
  }
}
