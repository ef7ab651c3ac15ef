// What the Google delivery remembers: each class and object as last sent (body hash, the fields that live on the
// objects, the values, for change messages), the errors Google gave on the change's ticket, callbacks' nonces and
// the install state they report. Every method takes the transaction it runs in (or the pool).
import type pg from "pg";
import { inTransaction } from "../db/transaction.js";
import { recordPassEvents } from "../events/pass-events.js";
import type { Queryable } from "../jobs/queue.js";

export interface StoredClass {
  body_hash: string | null;
  object_fields: string[];
  values: Record<string, string>;
}

export interface StoredObject {
  pass_id: number;
  body_hash: string | null;
  values: Record<string, string>;
}

export class GoogleSyncStore {
  constructor(readonly pool: pg.Pool) {}

  /** Serializes class syncs of one template (jobs for the same template may run in parallel). */
  async lockClass(tx: Queryable, templateId: number): Promise<void> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('google-class'), $1)", [templateId]);
  }

  async storedClass(templateId: number, db: Queryable = this.pool): Promise<StoredClass | undefined> {
    const { rows } = await db.query<StoredClass>(
      "SELECT body_hash, object_fields, values FROM google_classes WHERE template_id = $1",
      [templateId],
    );
    return rows[0];
  }

  async saveClass(
    sent: { templateId: number; classId: string; bodyHash: string; objectFields: string[]; values: object },
    db: Queryable = this.pool,
  ): Promise<void> {
    await db.query(
      `INSERT INTO google_classes (template_id, class_id, body_hash, object_fields, values, synced_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (template_id) DO UPDATE SET class_id = EXCLUDED.class_id, body_hash = EXCLUDED.body_hash,
         object_fields = EXCLUDED.object_fields, values = EXCLUDED.values, synced_at = now()`,
      [sent.templateId, sent.classId, sent.bodyHash, sent.objectFields, JSON.stringify(sent.values)],
    );
  }

  async storedObjects(passIds: number[], db: Queryable = this.pool): Promise<Map<number, StoredObject>> {
    const { rows } = await db.query<StoredObject>(
      "SELECT pass_id, body_hash, values FROM google_objects WHERE pass_id = ANY($1::int[])",
      [passIds],
    );
    return new Map(rows.map((r) => [r.pass_id, r]));
  }

  async saveObject(
    sent: { passId: number; objectId: string; bodyHash: string; values: object },
    db: Queryable = this.pool,
  ): Promise<void> {
    await db.query(
      `INSERT INTO google_objects (pass_id, object_id, body_hash, values, synced_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (pass_id) DO UPDATE SET object_id = EXCLUDED.object_id, body_hash = EXCLUDED.body_hash,
         values = EXCLUDED.values, synced_at = now()`,
      [sent.passId, sent.objectId, sent.bodyHash, JSON.stringify(sent.values)],
    );
  }

  async objectHash(passId: number, db: Queryable = this.pool): Promise<string | null | undefined> {
    const { rows } = await db.query<{ body_hash: string | null }>(
      "SELECT body_hash FROM google_objects WHERE pass_id = $1",
      [passId],
    );
    return rows[0]?.body_hash;
  }

  /** Adds Google's refusal to the latest ticket of the pass (or template) whose change it answered. */
  async recordRejection(
    on: { passId?: number; templateId?: number },
    message: string,
    db: Queryable = this.pool,
  ): Promise<void> {
    const column = on.passId ? "pass_id" : "template_id";
    await db.query(
      `UPDATE tickets SET errors = errors || $2::jsonb, updated_at = now()
        WHERE id = (SELECT max(id) FROM tickets WHERE ${column} = $1)`,
      [on.passId ?? on.templateId, JSON.stringify([{ ...on, source: "google", error: message }])],
    );
  }

  /** The Google pass an object id names (its serial number follows the issuer id). */
  async passOfObject(objectId: string): Promise<{ passId: number; projectId: number } | undefined> {
    const serial = objectId.slice(objectId.indexOf(".") + 1);
    const { rows } = await this.pool.query<{ passId: number; projectId: number }>({
      name: "google-pass-of-object",
      text: `SELECT p.id AS "passId", t.project_id AS "projectId" FROM passes p JOIN templates t ON t.id = p.template_id
              WHERE p.serial_number = $1 AND t.vendor = 'Google'`,
      values: [serial],
    });
    return rows[0];
  }

  /**
   * A callback, once: its nonce (a repeated one changes nothing: false), and for save/del the pass's install state
   * and its "installed"/"uninstalled" event, in one transaction.
   */
  recordCallback(nonce: string, passId: number, event: "save" | "del" | undefined): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const fresh = await client.query(
        "INSERT INTO google_callback_nonces (nonce) VALUES ($1) ON CONFLICT DO NOTHING",
        [nonce],
      );
      if (fresh.rowCount === 0) return false;
      if (event === "save") {
        await client.query(
          `UPDATE passes SET installs = installs + 1, public_url_used = (public_url_type IS NOT NULL),
             installed_at = CASE WHEN status = 'installed' THEN installed_at ELSE now() END,
             status = 'installed', platform = 'android', uninstalled_at = NULL
           WHERE id = $1`,
          [passId],
        );
        await recordPassEvents(client, [passId], "installed", { platform: "android" });
      } else if (event === "del") {
        await client.query(
          "UPDATE passes SET status = 'uninstalled', uninstalled_at = now() WHERE id = $1 AND status = 'installed'",
          [passId],
        );
        await recordPassEvents(client, [passId], "uninstalled", { platform: "android" });
      }
      return true;
    });
  }
}
