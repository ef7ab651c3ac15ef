// What the Google delivery remembers: each class and object as last sent (body hash, the fields that live on the
// objects, the values, for change messages), the errors Google gave on the change's ticket, callbacks' nonces and
// the install state they report. Every method takes the transaction it runs in (or the pool).
import type pg from "pg";
import type { Queryable } from "../db/queryable.js";
import { inTransaction } from "../db/transaction.js";
import type { PassOverrides } from "../domain/field-model.js";
import type { GoogleMessage, RotatingBarcode } from "../domain/google-keys.js";
import type { LocationInput } from "../domain/values.js";
import { recordPassEvents } from "../events/pass-event-store.js";

/** A Google template as the store reads it. */
export interface TemplateRecord {
  id: number;
  name: string;
  type: string;
  vendor: string;
  design: unknown;
  projectId: number;
  projectName: string;
  projectType: string;
  /** Its project's settings (their barcode defaults apply to the template's passes). */
  projectSettings: unknown;
  contextId: string;
  locations: LocationInput[];
}

export interface PassRecord {
  id: number;
  templateId: number;
  serialNumber: string;
  overrides: PassOverrides;
  locations: LocationInput[];
  /** The messages an issuer put on the pass (core/passes/google-message.ts), oldest first. */
  messages: GoogleMessage[];
  /** The serial numbers of the passes its linkedObjectIds header names (the account's own only). */
  linkedSerials: string[];
  /** Its rotating barcode's settings and TOTP key, when its template or it asks for one (bodies.ts fills this). */
  totp?: { setting: RotatingBarcode; key: Buffer };
  /** The flight or event its adaptive link points at (its object then belongs to that group's class), or null. */
  group: PassGroupRecord | null;
}

/** A flight or event, as its passengers' (attendees') Google class is built from it. */
export interface PassGroupRecord {
  id: number;
  kind: "flight" | "event";
  /** Its fields: each a value, or {value, label?, changeMessage?}. */
  fields: Record<string, unknown>;
}

/** Notifying messages Google allows per pass in 24 hours. */
export const GOOGLE_NOTIFICATIONS_PER_DAY = 3;

const LOCATION_JSON = `json_build_object('latitude', l.latitude, 'longitude', l.longitude)`;

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

  /** A template as its class is built: with its project and locations. */
  async templateRecord(templateId: number, db: Queryable = this.pool): Promise<TemplateRecord | undefined> {
    const { rows } = await db.query<TemplateRecord>({
      name: "google-template",
      text: `SELECT t.id, t.name, t.type, t.vendor, t.design, pr.id AS "projectId", pr.name AS "projectName",
               pr.project_type AS "projectType", pr.settings AS "projectSettings", pr.context_id AS "contextId",
               COALESCE((SELECT json_agg(${LOCATION_JSON} ORDER BY l.id) FROM locations l WHERE l.template_id = t.id), '[]')
                 AS locations
               FROM templates t JOIN projects pr ON pr.id = t.project_id WHERE t.id = $1`,
      values: [templateId],
    });
    return rows[0];
  }

  /** Google passes as their objects are built: values and locations. */
  async passRecords(passIds: number[], db: Queryable = this.pool): Promise<PassRecord[]> {
    const { rows } = await db.query<PassRecord>({
      name: "google-passes",
      text: `SELECT p.id, p.template_id AS "templateId", p.serial_number AS "serialNumber", p.overrides,
               p.google_messages AS messages,
               ARRAY(SELECT l.serial_number FROM passes l
                      WHERE l.account_id = p.account_id AND l.id <> p.id
                        AND l.id IN (SELECT CASE WHEN e ~ '^[0-9]{1,9}$' THEN e::int END
                                       FROM jsonb_array_elements_text(
                                         CASE WHEN jsonb_typeof(p.overrides->'headers'->'linkedObjectIds'->'value') = 'array'
                                              THEN p.overrides->'headers'->'linkedObjectIds'->'value' ELSE '[]' END) e)
                      ORDER BY l.id) AS "linkedSerials",
               COALESCE((SELECT json_agg(${LOCATION_JSON} ORDER BY l.id) FROM locations l WHERE l.pass_id = p.id), '[]')
                 AS locations,
               g.group
               FROM passes p JOIN templates t ON t.id = p.template_id
               LEFT JOIN LATERAL (
                 SELECT json_build_object('id', lg.id, 'kind', lg.kind, 'fields', lg.fields) AS group
                   FROM adaptive_links al JOIN link_groups lg ON lg.id = COALESCE(al.flight_id, al.event_id)
                  WHERE al.id = p.adaptive_link_id) g ON true
              WHERE p.id = ANY($1::int[]) AND t.vendor = 'Google' ORDER BY p.id`,
      values: [passIds],
    });
    return rows;
  }

  /** Fields that live on the template's objects: chosen before (sticky), or overridden by some pass. */
  async objectFieldNames(templateId: number, db: Queryable = this.pool): Promise<string[]> {
    const { rows } = await db.query<{ name: string }>({
      name: "google-object-fields",
      text: `SELECT unnest(object_fields) AS name FROM google_classes WHERE template_id = $1
             UNION SELECT DISTINCT k FROM passes p, jsonb_object_keys(COALESCE(p.overrides->'fields', '{}'::jsonb)) k
              WHERE p.template_id = $1`,
      values: [templateId],
    });
    return rows.map((r) => r.name);
  }

  /** The sealed TOTP keys of these passes (those that have one). */
  async totpKeys(passIds: number[], db: Queryable = this.pool): Promise<Map<number, Buffer>> {
    const { rows } = await db.query<{ pass_id: number; key_sealed: Buffer }>(
      "SELECT pass_id, key_sealed FROM google_totp_keys WHERE pass_id = ANY($1::int[])",
      [passIds],
    );
    return new Map(rows.map((r) => [r.pass_id, r.key_sealed]));
  }

  /** Stores new passes' sealed TOTP keys; a pass given one meanwhile (another process) keeps its own. */
  async addTotpKeys(keys: Array<{ passId: number; sealed: Buffer }>, db: Queryable = this.pool): Promise<void> {
    if (keys.length === 0) return;
    await db.query(
      `INSERT INTO google_totp_keys (pass_id, key_sealed)
       SELECT * FROM unnest($1::int[], $2::bytea[]) ON CONFLICT (pass_id) DO NOTHING`,
      [keys.map((k) => k.passId), keys.map((k) => k.sealed)],
    );
  }

  /** Serializes class syncs of one template (jobs for the same template may run in parallel). */
  async lockClass(tx: Queryable, templateId: number): Promise<void> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('google-class'), $1)", [templateId]);
  }

  /** Serializes the syncs of one pass's object. */
  async lockObject(tx: Queryable, passId: number): Promise<void> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('google-object'), $1)", [passId]);
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

  /** Serializes the syncs of one flight's (event's) class of a template. */
  async lockGroupClass(tx: Queryable, templateId: number, groupId: number): Promise<void> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('google-group-class'), hashtext($1::text))", [
      `${templateId}:${groupId}`,
    ]);
  }

  async storedGroupClass(
    templateId: number,
    groupId: number,
    db: Queryable = this.pool,
  ): Promise<Omit<StoredClass, "object_fields"> | undefined> {
    const { rows } = await db.query<Omit<StoredClass, "object_fields">>(
      "SELECT body_hash, values FROM google_group_classes WHERE template_id = $1 AND group_id = $2",
      [templateId, groupId],
    );
    return rows[0];
  }

  async saveGroupClass(
    sent: { templateId: number; groupId: number; classId: string; bodyHash: string; values: object },
    db: Queryable = this.pool,
  ): Promise<void> {
    await db.query(
      `INSERT INTO google_group_classes (template_id, group_id, class_id, body_hash, values, synced_at)
       VALUES ($1, $2, $3, $4, $5, now())
       ON CONFLICT (template_id, group_id) DO UPDATE SET class_id = EXCLUDED.class_id, body_hash = EXCLUDED.body_hash,
         values = EXCLUDED.values, synced_at = now()`,
      [sent.templateId, sent.groupId, sent.classId, sent.bodyHash, JSON.stringify(sent.values)],
    );
  }

  /** The flights (events) whose class of this template was sent: a template change reaches each. */
  async groupsWithClasses(templateId: number, db: Queryable = this.pool): Promise<PassGroupRecord[]> {
    const { rows } = await db.query<PassGroupRecord>(
      `SELECT lg.id, lg.kind, lg.fields FROM google_group_classes c JOIN link_groups lg ON lg.id = c.group_id
        WHERE c.template_id = $1 ORDER BY lg.id`,
      [templateId],
    );
    return rows;
  }

  /** The multi-pass grouping each object was last given. */
  async groupings(passIds: number[], db: Queryable = this.pool): Promise<Map<number, string | null>> {
    const { rows } = await db.query<{ pass_id: number; grouping_id: string | null }>(
      "SELECT pass_id, grouping_id FROM google_objects WHERE pass_id = ANY($1::int[])",
      [passIds],
    );
    return new Map(rows.map((r) => [r.pass_id, r.grouping_id]));
  }

  async setGrouping(passId: number, groupingId: string, db: Queryable = this.pool): Promise<void> {
    await db.query("UPDATE google_objects SET grouping_id = $2 WHERE pass_id = $1", [passId, groupingId]);
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

  /**
   * The pass leaves the server (a save link): from now on its object is kept in step with Google. True the first
   * time (the object is still to be made).
   */
  async markHandedOut(passId: number, objectId: string, db: Queryable = this.pool): Promise<boolean> {
    // Every row is made here or by a sync of a handed-out pass: an existing row was handed out (nothing to write).
    const { rowCount } = await db.query({
      name: "google-hand-out",
      text: `INSERT INTO google_objects (pass_id, object_id, handed_out_at) VALUES ($1, $2, now())
             ON CONFLICT (pass_id) DO NOTHING`,
      values: [passId, objectId],
    });
    return rowCount === 1;
  }

  async objectHash(passId: number, db: Queryable = this.pool): Promise<string | null | undefined> {
    const { rows } = await db.query<{ body_hash: string | null }>(
      "SELECT body_hash FROM google_objects WHERE pass_id = $1",
      [passId],
    );
    return rows[0]?.body_hash;
  }

  /**
   * Takes one of the pass's notifying messages for the day (Google allows three per pass in 24 hours): true when
   * one was left (and is now used), false when the message must go without a notification.
   */
  async takeNotification(passId: number, now: Date, db: Queryable = this.pool): Promise<boolean> {
    const { rows } = await db.query<{ id: number }>(
      `UPDATE google_objects SET notified_at = array_append(
           ARRAY(SELECT t FROM unnest(notified_at) t WHERE t > $2::timestamptz - interval '24 hours'), $2::timestamptz)
        WHERE pass_id = $1
          AND (SELECT count(*) FROM unnest(notified_at) t WHERE t > $2::timestamptz - interval '24 hours') < $3
        RETURNING pass_id AS id`,
      [passId, now, GOOGLE_NOTIFICATIONS_PER_DAY],
    );
    return rows.length > 0;
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

  /** When the pass's save was reported (installed on Android), or undefined when it is not installed. */
  async installedSince(passId: number, db: Queryable = this.pool): Promise<Date | undefined> {
    const { rows } = await db.query<{ since: Date }>(
      `SELECT installed_at AS since FROM passes WHERE id = $1 AND status = 'installed' AND platform = 'android'`,
      [passId],
    );
    return rows[0]?.since ?? undefined;
  }

  /** The Google pass an object id names (its serial number follows the issuer id). */
  async passOfObject(objectId: string): Promise<{ passId: number; projectId: number } | undefined> {
    const serial = objectId.slice(objectId.indexOf(".") + 1);
    const { rows } = await this.pool.query<{ passId: number; projectId: number }>({
      name: "google-pass-of-object",
      text: `SELECT f.id AS "passId", f.project_id AS "projectId" FROM pass_facts f
              WHERE f.serial_number = $1 AND f.vendor = 'Google'`,
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
