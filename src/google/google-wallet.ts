// Google Wallet delivery: builds each template's class and each pass's object from the store, keeps Google in
// step (a class or object is sent only when its body changed — so publishing a class-level change to any number
// of passes costs one class PATCH), turns changed fields that carry a changeMessage into notifying messages; its
// save links are made by save-links.ts.
import type pg from "pg";
import type { Clock } from "../clock.js";
import type { Queryable } from "../db/queryable.js";
import { inTransaction } from "../db/transaction.js";
import { designOf } from "../domain/field-model.js";
import type { FieldSpec } from "../domain/field-spec.js";
import { TOTP_PLACEHOLDER } from "../domain/google-keys.js";
import { traitsOf } from "../domain/vendors.js";
import type { InstallationPage } from "../domain/wallet-port.js";
import { enqueuePassDeliveries } from "../jobs/queue-store.js";
import type { SecretBox } from "../secrets/encryption.js";
import { GoogleApiError, type GoogleWalletClient } from "./api-client.js";
import { GoogleBodies, hash } from "./bodies.js";
import type { GoogleIssuer, GoogleIssuers } from "./credentials.js";
import { fieldValues, idSuffix, resourceOf } from "./mapping.js";
import { GoogleSaveLinks } from "./save-links.js";
import type { PassGroupRecord, PassRecord, TemplateRecord } from "./sync-store.js";
import { GOOGLE_NOTIFICATIONS_PER_DAY, GoogleSyncStore } from "./sync-store.js";
import { verifyTotp } from "./totp.js";

/** Objects sent to Google at once by one sync. */
const OBJECT_CONCURRENCY = 8;
/**
 * Object syncs in flight in this process, over all its jobs: each holds a database connection while Google answers
 * (and while its call waits for a slot of the shared pacing), so they must leave the rest of the pool to the API.
 */
const PROCESS_SYNC_LANES = 4;

/** Google refused the content (a 4xx other than 429): retrying cannot help; the error is recorded instead. */
const isRejection = (error: unknown): error is GoogleApiError =>
  error instanceof GoogleApiError && error.status >= 400 && error.status < 500 && error.status !== 429;

export interface GoogleWalletDeps {
  pool: pg.Pool;
  issuers: GoogleIssuers;
  client: GoogleWalletClient;
  publicBaseUrl: string;
  clock: Clock;
  log?: { warn(msg: string): void };
  /** Seals and opens the passes' TOTP keys (rotating barcodes); without it no pass shows one. */
  secrets?: Pick<SecretBox, "seal" | "open">;
}

export class GoogleWallet {
  private readonly bodies: GoogleBodies;

  private readonly store: GoogleSyncStore;

  private readonly lanes = new Lanes(PROCESS_SYNC_LANES);

  private readonly links: GoogleSaveLinks;

  constructor(private readonly deps: GoogleWalletDeps) {
    this.store = new GoogleSyncStore(deps.pool);
    this.bodies = new GoogleBodies(this.store, deps.publicBaseUrl, deps.clock, deps.secrets);
    this.links = new GoogleSaveLinks({
      ...deps,
      bodies: this.bodies,
      store: this.store,
      syncPasses: (passIds) => this.syncPasses(passIds),
    });
  }

  // ---- sync ----

  /** Creates or patches a template's class when its body changed. Returns the object fields in force. */
  async syncTemplate(templateId: number): Promise<void> {
    const template = await this.bodies.template(templateId);
    if (!template || !traitsOf(template.vendor).syncedObjects) return;
    const issuer = await this.deps.issuers.forProject(template.projectId);
    if (issuer.development) return;
    const objectFields = await this.syncClass(issuer, template);
    for (const group of await this.store.groupsWithClasses(template.id)) {
      await this.syncGroupClass(issuer, template, group, objectFields);
    }
  }

  /**
   * Creates or patches a flight's (event's) class of a template when its body changed: the class its passengers'
   * objects belong to, holding the flight's values. Many jobs of one flight change call this; one sends the PATCH.
   */
  private async syncGroupClass(
    issuer: GoogleIssuer,
    template: TemplateRecord,
    group: PassGroupRecord,
    objectFields: ReadonlySet<string>,
  ): Promise<void> {
    const body = this.bodies.classBody(issuer, template, objectFields, group);
    const bodyHash = hash(body);
    if ((await this.store.storedGroupClass(template.id, group.id))?.body_hash === bodyHash) return;
    const fields = this.bodies.classFields(template, group);
    const values = fieldValues(fields);
    const onObjects = this.bodies.groupClassObjectFields(objectFields, group);
    const resource = resourceOf(this.bodies.kindOf(template, group), "Class");
    await inTransaction(
      this.store.pool,
      async (client) => {
        await this.store.lockGroupClass(client, template.id, group.id);
        const stored = await this.store.storedGroupClass(template.id, group.id, client);
        if (stored?.body_hash === bodyHash) return;
        const sent = await this.sendClass(issuer, template, resource, body, stored, fields, values, onObjects, client);
        if (!sent) return;
        await this.store.saveGroupClass(
          { templateId: template.id, groupId: group.id, classId: body.id as string, bodyHash, values },
          client,
        );
      },
      { retry: false },
    );
  }

  private async syncClass(issuer: GoogleIssuer, template: TemplateRecord): Promise<Set<string>> {
    const design = designOf(template);
    const objectFields = await this.bodies.objectFields(template, design);
    const body = this.bodies.classBody(issuer, template, objectFields);
    const kind = this.bodies.kindOf(template);
    const resource = resourceOf(kind, "Class");
    return inTransaction(
      this.store.pool,
      async (client) => {
        await this.store.lockClass(client, template.id);
        const stored = await this.store.storedClass(template.id, client);
        const bodyHash = hash(body);
        const values = fieldValues(design.fields);
        if (
          stored?.body_hash !== bodyHash &&
          !(await this.sendClass(issuer, template, resource, body, stored, design.fields, values, objectFields, client))
        ) {
          return objectFields;
        }
        await this.store.saveClass(
          {
            templateId: template.id,
            classId: body.id as string,
            bodyHash,
            objectFields: [...objectFields].sort(),
            values,
          },
          client,
        );
        // A field that moved onto the objects must now appear on every object: re-sync them all.
        const grew = [...objectFields].some((name) => !(stored?.object_fields ?? []).includes(name));
        if (stored && grew) await enqueuePassDeliveries(client, { templateId: template.id });
        return objectFields;
      },
      // Google was called inside: a conflict fails the job, whose retry reads the state again.
      { retry: false },
    );
  }

  /**
   * Sends a class whose body changed, with a notifying message for each changed class field that has a
   * changeMessage. False when Google refused it (recorded on the template's ticket; nothing to save).
   */
  private async sendClass(
    issuer: GoogleIssuer,
    template: TemplateRecord,
    resource: ReturnType<typeof resourceOf>,
    body: Record<string, unknown>,
    stored: { body_hash: string | null; values: Record<string, string> } | undefined,
    fields: Record<string, FieldSpec>,
    values: Record<string, string>,
    objectFields: ReadonlySet<string>,
    client: Queryable,
  ): Promise<boolean> {
    try {
      await this.upsert(issuer, resource, body.id as string, body, stored?.body_hash != null);
      if (stored?.body_hash) {
        const id = body.id as string;
        const onClass = (n: string) => !objectFields.has(n);
        await this.notifyChanges(issuer, resource, id, fields, stored.values, values, onClass, client);
      }
      return true;
    } catch (error) {
      if (!isRejection(error)) throw error;
      await this.recordError({ templateId: template.id }, error.message, client);
      return false;
    }
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
        if (!(error instanceof GoogleApiError) || error.status !== 404) throw error;
      }
    }
    try {
      await client.insert(issuer, resource, body);
    } catch (error) {
      if (!(error instanceof GoogleApiError) || error.status !== 409) throw error;
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
    /** The sync's transaction (no second connection is taken while it is held). */
    db: Queryable,
    /** An object's pass: its notifying messages count against Google's three a day. */
    passId?: number,
  ) {
    for (const [name, spec] of Object.entries(fields)) {
      if (!include(name) || (before[name] ?? "") === after[name]) continue;
      const template = typeof spec.changeMessage === "string" ? spec.changeMessage : "";
      if (!template.includes("%@")) continue;
      const notify =
        passId === undefined || (await this.store.takeNotification(passId, new Date(this.deps.clock.now()), db));
      await this.deps.client.addMessage(issuer, resource, id, {
        id: idSuffix(`${name}-${this.deps.clock.now()}`),
        header: typeof spec.label === "string" && spec.label ? spec.label : name,
        body: template.replaceAll("%@", after[name] ?? ""),
        messageType: notify ? "TEXT_AND_NOTIFY" : "TEXT",
      });
      if (!notify && passId !== undefined) {
        await this.store.recordRejection(
          { passId },
          `Google allows ${GOOGLE_NOTIFICATIONS_PER_DAY} notifying messages per pass a day: "${name}" was added without a notification`,
          db,
        );
      }
    }
  }

  private async recordError(on: { passId?: number; templateId?: number }, message: string, db?: Queryable) {
    this.deps.log?.warn(
      `Google Wallet rejected ${on.passId ? `pass ${on.passId}` : `template ${on.templateId}`}: ${message}`,
    );
    await this.store.recordRejection(on, message, db);
  }

  /**
   * Sends the objects of these passes whose bodies changed (their classes first, when needed). Only passes that
   * were handed out (a save link) have objects: the others cost no call until they leave the server.
   */
  async syncPasses(passIds: number[]): Promise<void> {
    const stored = await this.store.storedObjects(passIds);
    if (stored.size === 0) return;
    const passes = await this.bodies.passes([...stored.keys()]);
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
      // The flights' (events') classes before their passengers' objects.
      const flights = new Map(group.flatMap((pass) => (pass.group ? [[pass.group.id, pass.group] as const] : [])));
      for (const flight of flights.values()) await this.syncGroupClass(issuer, template, flight, objectFields);
      const syncOne = async (pass: PassRecord) => {
        const resource = resourceOf(this.bodies.kindOf(template, pass.group), "Object");
        const { body, view } = this.bodies.objectBody(issuer, template, pass, objectFields);
        const bodyHash = hash(body);
        if (stored.get(pass.id)?.body_hash === bodyHash) return;
        const values = fieldValues(view.fields);
        // One sync of a pass at a time: two jobs for one pass (a change made while its last sync ran) must not
        // both send its messages. The state is read again under the lock.
        await this.lanes.run(() =>
          inTransaction(
            this.store.pool,
            async (client) => {
              await this.store.lockObject(client, pass.id);
              const previous = (await this.store.storedObjects([pass.id], client)).get(pass.id);
              if (previous?.body_hash === bodyHash) return;
              try {
                await this.upsert(issuer, resource, body.id as string, body, previous?.body_hash != null);
                if (previous?.body_hash) {
                  await this.notifyChanges(
                    issuer,
                    resource,
                    body.id as string,
                    view.fields,
                    previous.values,
                    values,
                    (n) => objectFields.has(n),
                    client,
                    pass.id,
                  );
                }
              } catch (error) {
                if (!isRejection(error)) throw error;
                await this.recordError({ passId: pass.id }, error.message, client);
                return;
              }
              await this.store.saveObject({ passId: pass.id, objectId: body.id as string, bodyHash, values }, client);
            },
            { retry: false },
          ),
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

  // ---- rotating barcodes ----

  /**
   * Whether `value` is what the pass's rotating barcode shows now (a scanner's check: one period of drift either
   * side is accepted). Undefined when the pass shows no rotating barcode.
   */
  async verifyRotatingBarcode(passId: number, value: string): Promise<boolean | undefined> {
    const [pass] = await this.bodies.passes([passId]);
    if (!pass?.totp) return undefined;
    return verifyTotp(value, pass.totp.key, this.deps.clock.now(), pass.totp.setting, TOTP_PLACEHOLDER);
  }

  // ---- save links ----

  /** The "Add to Google Wallet" URL of a pass (save-links.ts). */
  saveUrl(passId: number): Promise<string> {
    return this.links.saveUrl(passId);
  }

  /** One "Add to Google Wallet" URL for several passes, or undefined when their issuers differ (save-links.ts). */
  saveUrlMany(passIds: number[]): Promise<string | undefined> {
    return this.links.saveUrlMany(passIds);
  }
  /** Where the pass is installed: one Android installation once Google reported its save (none after a delete). */
  async installations(passId: number, page: { offset: number; limit: number }): Promise<InstallationPage> {
    const since = await this.store.installedSince(passId);
    const all = since ? [{ platform: "android" as const, since }] : [];
    return { count: all.length, rows: all.slice(page.offset, page.offset + page.limit) };
  }

  /**
   * The class and object a pass would be sent as (or, without a pass, a pass of the template with nothing of its
   * own): what a preview draws. Nothing is sent or stored.
   */
  async previewBodies(template: TemplateRecord, pass?: PassRecord): Promise<{ klass: object; object: object }> {
    const issuer = await this.deps.issuers.forProject(template.projectId);
    const specimen: PassRecord = pass ?? {
      id: 0,
      templateId: template.id,
      serialNumber: "preview",
      overrides: {},
      locations: [],
      messages: [],
      linkedSerials: [],
      group: null,
    };
    const { fields: objectFields } = await this.bodies.knownObjectFields(template, [specimen]);
    return {
      klass: this.bodies.classBody(issuer, template, objectFields, specimen.group),
      object: this.bodies.objectBody(issuer, template, specimen, objectFields).body,
    };
  }

  /** A Google template as its class is built, or a pass as its object is (undefined when it is not Google's). */
  templateRecord(templateId: number): Promise<TemplateRecord | undefined> {
    return this.bodies.template(templateId);
  }

  async passRecord(passId: number): Promise<PassRecord | undefined> {
    return (await this.bodies.passes([passId]))[0];
  }

  /** The pass whose object a callback names (by the object id we gave it). */
  passOfObject(objectId: string): Promise<{ passId: number; projectId: number } | undefined> {
    return this.store.passOfObject(objectId);
  }

  /** A callback's effect, once per nonce (see GoogleSyncStore.recordCallback). */
  recordCallback(nonce: string, passId: number, event: "save" | "del" | undefined): Promise<boolean> {
    return this.store.recordCallback(nonce, passId, event);
  }
}

/** At most `size` tasks at once; the others wait their turn in order. */
class Lanes {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
