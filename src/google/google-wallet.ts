// Google Wallet delivery: builds each template's class and each pass's object from the store, keeps Google in
// step (a class or object is sent only when its body changed — so publishing a class-level change to any number
// of passes costs one class PATCH), turns changed fields that carry a changeMessage into notifying messages, and
// signs save links.
import type pg from "pg";
import { inTransaction } from "../db/transaction.js";
import { designOf, type FieldSpec } from "../domain/field-model.js";
import { addPassChangedEvents } from "../jobs/queue.js";
import { GoogleAppError, type GoogleWalletClient, signJwt } from "./api-client.js";
import { GoogleBodies, hash, type PassRecord, type TemplateRecord } from "./bodies.js";
import type { GoogleIssuer, GoogleIssuers } from "./credentials.js";
import { fieldValues, type GoogleKind, idSuffix, resourceOf } from "./mapping.js";

export const MAX_JWT_LENGTH = 1800;
/** Objects sent to Google at once by one sync. */
const OBJECT_CONCURRENCY = 8;
export const SAVE_URL = "https://pay.google.com/gp/v/save/";

/** Google refused the content (a 4xx other than 429): retrying cannot help; the error is recorded instead. */
const isRejection = (error: unknown): error is GoogleAppError =>
  error instanceof GoogleAppError && error.status >= 400 && error.status < 500 && error.status !== 429;

export interface GoogleWalletDeps {
  pool: pg.Pool;
  issuers: GoogleIssuers;
  client: GoogleWalletClient;
  publicBaseUrl: string;
  log?: { warn(msg: string): void };
}

export class GoogleWallet {
  private readonly bodies: GoogleBodies;

  constructor(private readonly deps: GoogleWalletDeps) {
    this.bodies = new GoogleBodies(deps.pool, deps.publicBaseUrl);
  }

  private get pool() {
    return this.deps.pool;
  }

  // ---- sync ----

  /** Creates or patches a template's class when its body changed. Returns the object fields in force. */
  async syncTemplate(templateId: number): Promise<void> {
    const template = await this.bodies.template(templateId);
    if (template?.vendor !== "Google") return;
    const issuer = await this.deps.issuers.forProject(template.projectId);
    if (issuer.development) return;
    await this.syncClass(issuer, template);
  }

  private async syncClass(issuer: GoogleIssuer, template: TemplateRecord): Promise<Set<string>> {
    const design = designOf(template);
    const objectFields = await this.bodies.objectFields(template, design);
    const body = this.bodies.classBody(issuer, template, objectFields);
    const kind = this.bodies.kindOf(template);
    const resource = resourceOf(kind, "Class");
    return inTransaction(this.pool, async (client) => {
      // One class sync per template at a time (jobs for the same template may run in parallel).
      await client.query("SELECT pg_advisory_xact_lock(hashtext('google-class'), $1)", [template.id]);
      const { rows } = await client.query<{
        body_hash: string | null;
        object_fields: string[];
        values: Record<string, string>;
      }>("SELECT body_hash, object_fields, values FROM google_classes WHERE template_id = $1", [template.id]);
      const stored = rows[0];
      const bodyHash = hash(body);
      const values = fieldValues(design.fields);
      if (stored?.body_hash !== bodyHash) {
        try {
          await this.upsert(issuer, resource, body.id as string, body, stored?.body_hash != null);
          if (stored?.body_hash)
            await this.notifyChanges(
              issuer,
              resource,
              body.id as string,
              design.fields,
              stored.values,
              values,
              (n) => !objectFields.has(n),
            );
        } catch (error) {
          if (!isRejection(error)) throw error;
          await this.recordError(client, { templateId: template.id }, error.message);
          return objectFields;
        }
      }
      await client.query(
        `INSERT INTO google_classes (template_id, class_id, body_hash, object_fields, values, synced_at)
         VALUES ($1, $2, $3, $4, $5, now())
         ON CONFLICT (template_id) DO UPDATE SET class_id = EXCLUDED.class_id, body_hash = EXCLUDED.body_hash,
           object_fields = EXCLUDED.object_fields, values = EXCLUDED.values, synced_at = now()`,
        [template.id, body.id, bodyHash, [...objectFields].sort(), JSON.stringify(values)],
      );
      // A field that moved onto the objects must now appear on every object: re-sync them all.
      const grew = [...objectFields].some((name) => !(stored?.object_fields ?? []).includes(name));
      if (stored && grew) await addPassChangedEvents(client, { templateId: template.id }, false);
      return objectFields;
    });
  }

  /** Patches (or inserts) a class or object: a PATCH Google answers 404 becomes an insert, and the other way round. */
  private async upsert(
    issuer: GoogleIssuer,
    resource: ReturnType<typeof resourceOf>,
    id: string,
    body: object,
    known: boolean,
  ) {
    const { client } = this.deps;
    if (known) {
      try {
        await client.patch(issuer, resource, id, body);
        return;
      } catch (error) {
        if (!(error instanceof GoogleAppError) || error.status !== 404) throw error;
      }
    }
    try {
      await client.insert(issuer, resource, body);
    } catch (error) {
      if (!(error instanceof GoogleAppError) || error.status !== 409) throw error;
      await client.patch(issuer, resource, id, body);
    }
  }

  /** A notifying message for each changed field whose changeMessage holds %@. */
  private async notifyChanges(
    issuer: GoogleIssuer,
    resource: ReturnType<typeof resourceOf>,
    id: string,
    fields: Record<string, FieldSpec>,
    before: Record<string, string>,
    after: Record<string, string>,
    include: (name: string) => boolean,
  ) {
    for (const [name, spec] of Object.entries(fields)) {
      if (!include(name) || (before[name] ?? "") === after[name]) continue;
      const template = typeof spec.changeMessage === "string" ? spec.changeMessage : "";
      if (!template.includes("%@")) continue;
      await this.deps.client.addMessage(issuer, resource, id, {
        id: idSuffix(`${name}-${Date.now()}`),
        header: typeof spec.label === "string" && spec.label ? spec.label : name,
        body: template.replaceAll("%@", after[name] ?? ""),
        messageType: "TEXT_AND_NOTIFY",
      });
    }
  }

  private async recordError(
    db: pg.PoolClient | pg.Pool,
    on: { passId?: number; templateId?: number },
    message: string,
  ) {
    this.deps.log?.warn(
      `Google Wallet rejected ${on.passId ? `pass ${on.passId}` : `template ${on.templateId}`}: ${message}`,
    );
    const column = on.passId ? "pass_id" : "template_id";
    await db.query(
      `UPDATE tickets SET errors = errors || $2::jsonb, updated_at = now()
        WHERE id = (SELECT max(id) FROM tickets WHERE ${column} = $1)`,
      [on.passId ?? on.templateId, JSON.stringify([{ ...on, source: "google", error: message }])],
    );
  }

  /** Sends the objects of these passes whose bodies changed (their classes first, when needed). */
  async syncPasses(passIds: number[]): Promise<void> {
    const passes = await this.bodies.passes(passIds);
    const byTemplate = new Map<number, PassRecord[]>();
    for (const pass of passes) byTemplate.set(pass.templateId, [...(byTemplate.get(pass.templateId) ?? []), pass]);
    for (const [templateId, group] of byTemplate) {
      const template = await this.bodies.template(templateId);
      if (!template) continue;
      const issuer = await this.deps.issuers.forProject(template.projectId);
      if (issuer.development) continue;
      // The class is synced by its own events; here only when it never was, or a pass overrides a field that
      // must move from the class onto the objects.
      const known = await this.bodies.knownObjectFields(template, group);
      const objectFields = known.synced && known.complete ? known.fields : await this.syncClass(issuer, template);
      const resource = resourceOf(this.bodies.kindOf(template), "Object");
      const { rows } = await this.pool.query<{
        pass_id: number;
        body_hash: string | null;
        values: Record<string, string>;
      }>("SELECT pass_id, body_hash, values FROM google_objects WHERE pass_id = ANY($1::int[])", [
        group.map((p) => p.id),
      ]);
      const stored = new Map(rows.map((r) => [r.pass_id, r]));
      const syncOne = async (pass: PassRecord) => {
        const { body, view } = this.bodies.objectBody(issuer, template, pass, objectFields);
        const bodyHash = hash(body);
        const previous = stored.get(pass.id);
        if (previous?.body_hash === bodyHash) return;
        const values = fieldValues(view.fields);
        try {
          await this.upsert(issuer, resource, body.id as string, body, previous?.body_hash != null);
          if (previous?.body_hash) {
            await this.notifyChanges(issuer, resource, body.id as string, view.fields, previous.values, values, (n) =>
              objectFields.has(n),
            );
          }
        } catch (error) {
          if (!isRejection(error)) throw error;
          await this.recordError(this.pool, { passId: pass.id }, error.message);
          return;
        }
        await this.pool.query(
          `INSERT INTO google_objects (pass_id, object_id, body_hash, values, synced_at) VALUES ($1, $2, $3, $4, now())
           ON CONFLICT (pass_id) DO UPDATE SET object_id = EXCLUDED.object_id, body_hash = EXCLUDED.body_hash,
             values = EXCLUDED.values, synced_at = now()`,
          [pass.id, body.id, bodyHash, JSON.stringify(values)],
        );
      };
      // A few objects in flight at once: Google answers each in tens of milliseconds.
      let next = 0;
      const lane = async () => {
        while (next < group.length) await syncOne(group[next++]!);
      };
      await Promise.all(Array.from({ length: Math.min(OBJECT_CONCURRENCY, group.length) }, lane));
    }
  }

  // ---- save links ----

  /**
   * The "Add to Google Wallet" URL of a pass: a signed JWT carrying the class and object, or — when that would
   * be longer than 1,800 characters — only their ids, after inserting them through the API.
   */
  async saveUrl(passId: number): Promise<string> {
    const [pass] = await this.bodies.passes([passId]);
    if (!pass) throw new Error(`pass ${passId} is not a Google pass`);
    const template = (await this.bodies.template(pass.templateId))!;
    const issuer = await this.deps.issuers.forProject(template.projectId);
    const { fields: objectFields } = await this.bodies.knownObjectFields(template, [pass]);
    const kind: GoogleKind = this.bodies.kindOf(template);
    const klass = this.bodies.classBody(issuer, template, objectFields);
    const { body: object } = this.bodies.objectBody(issuer, template, pass, objectFields);
    const claims = (payload: object) => ({
      iss: issuer.clientEmail,
      aud: "google",
      typ: "savetowallet",
      iat: Math.floor(Date.now() / 1000),
      origins: [new URL(this.deps.publicBaseUrl).origin],
      payload,
    });
    const full = signJwt(issuer, claims({ [`${kind}Classes`]: [klass], [`${kind}Objects`]: [object] }));
    if (full.length <= MAX_JWT_LENGTH) return `${SAVE_URL}${full}`;
    if (!issuer.development) {
      const { rows } = await this.pool.query<{ body_hash: string }>({
        name: "google-object-hash",
        text: "SELECT body_hash FROM google_objects WHERE pass_id = $1",
        values: [passId],
      });
      if (rows[0]?.body_hash !== hash(object)) await this.syncPasses([passId]);
    }
    const skinny = signJwt(issuer, claims({ [`${kind}Objects`]: [{ id: object.id, classId: object.classId }] }));
    return `${SAVE_URL}${skinny}`;
  }

  /** The pass whose object a callback names (by the object id we gave it). */
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
}
