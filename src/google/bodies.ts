// What Google is sent, read from the store: a Google template's class body and each pass's object body, with
// the ids, logo URL and the split of fields between class and objects. Shared by the sync and the save links.
// A pass made for a flight (event) belongs to that flight's class of its template instead: the flight's values
// live on that class, not on the passengers' objects, so a flight change is one class PATCH.
import { createHash, randomBytes } from "node:crypto";
import type { Clock } from "../clock.js";
import { designOf, isVoided, mergedView, type TemplateDesign } from "../domain/field-model.js";
import type { FieldSpec } from "../domain/field-spec.js";
import { rotatingBarcodeOf } from "../domain/google-keys.js";
import { isObject } from "../domain/values.js";
import { BUILT_IN } from "../images/image-store.js";
import type { SecretBox } from "../secrets/encryption.js";
import type { GoogleIssuer } from "./credentials.js";
import { buildClass, buildObject, googleKindOf, idSuffix } from "./mapping.js";
import type { GoogleSyncStore, PassGroupRecord, PassRecord, TemplateRecord } from "./sync-store.js";

export const hash = (body: unknown) => createHash("sha256").update(JSON.stringify(body)).digest("hex");

/** A flight's (event's) field as {value, label?, changeMessage?}. */
const groupEntry = (raw: unknown): Record<string, unknown> => (isObject(raw) ? raw : { value: raw });

/** The template's fields with a flight's (event's) values (and labels) in the fields the template has. */
function withGroupValues(fields: Record<string, FieldSpec>, group: PassGroupRecord): Record<string, FieldSpec> {
  const merged = { ...fields };
  for (const [name, raw] of Object.entries(group.fields)) {
    const spec = merged[name];
    if (!spec) continue;
    const { value, label, changeMessage } = groupEntry(raw);
    merged[name] = {
      ...spec,
      value,
      ...(typeof label === "string" ? { label } : {}),
      ...(typeof changeMessage === "string" ? { changeMessage } : {}),
    } as FieldSpec;
  }
  return merged;
}

const without = (names: ReadonlySet<string>, drop: (name: string) => boolean) =>
  new Set([...names].filter((name) => !drop(name)));

export class GoogleBodies {
  constructor(
    private readonly store: GoogleSyncStore,
    private readonly publicBaseUrl: string,
    private readonly clock: Clock,
    /** Seals and opens the passes' TOTP keys (rotating barcodes); without it, no pass gets one. */
    private readonly secrets?: Pick<SecretBox, "seal" | "open">,
  ) {}

  /**
   * The Google pass type of a template (its type, project type and, for flights, its fields — with the flight's
   * values, for a flight's class).
   */
  kindOf(template: TemplateRecord, group?: PassGroupRecord | null) {
    return googleKindOf(template.type, template.projectType, this.classFields(template, group));
  }

  template(templateId: number): Promise<TemplateRecord | undefined> {
    return this.store.templateRecord(templateId);
  }

  /** Google passes as their objects are built, each with its TOTP key when it shows a rotating barcode. */
  async passes(passIds: number[]): Promise<PassRecord[]> {
    const records = await this.store.passRecords(passIds);
    if (this.secrets) await this.attachTotp(records, this.secrets);
    return records;
  }

  /** Finds which passes show a rotating barcode; gives those without a TOTP key a new random one, sealed. */
  private async attachTotp(records: PassRecord[], secrets: Pick<SecretBox, "seal" | "open">): Promise<void> {
    const templates = new Map<number, TemplateRecord | undefined>();
    const rotating: PassRecord[] = [];
    for (const record of records) {
      if (!templates.has(record.templateId)) templates.set(record.templateId, await this.template(record.templateId));
      const template = templates.get(record.templateId);
      if (!template) continue;
      const setting = rotatingBarcodeOf(
        mergedView(designOf(template), record.overrides).headers.rotatingBarcode?.value,
      );
      if (!setting) continue;
      record.totp = { setting, key: Buffer.alloc(0) };
      rotating.push(record);
    }
    if (rotating.length === 0) return;
    const ids = rotating.map((r) => r.id);
    let sealed = await this.store.totpKeys(ids);
    const missing = ids.filter((id) => !sealed.has(id));
    if (missing.length) {
      await this.store.addTotpKeys(missing.map((passId) => ({ passId, sealed: secrets.seal(randomBytes(20)) })));
      sealed = await this.store.totpKeys(ids);
    }
    for (const record of rotating) record.totp!.key = secrets.open(sealed.get(record.id)!);
  }

  /** Where Google fetches the logo: the template's own URL, a stored image we serve, or our built-in logo. */
  logoUrl(design: TemplateDesign): string {
    const stored = design.images?.["titleModule.image"];
    if (stored) return `${this.publicBaseUrl}/images/${stored}.png`;
    const given = design.modules.titleModule?.image;
    if (typeof given === "string" && /^https?:\/\//.test(given)) return given;
    return `${this.publicBaseUrl}/images/${BUILT_IN.logo2x.sha256}.png`;
  }

  ids(issuer: GoogleIssuer, template: TemplateRecord, serialNumber?: string, group?: PassGroupRecord | null) {
    const flight = group ? `-${group.kind === "flight" ? "f" : "e"}${group.id}` : "";
    const classId = `${issuer.issuerId}.${idSuffix(`${template.contextId.slice(0, 12)}-t${template.id}${flight}`)}`;
    return { classId, objectId: serialNumber ? `${issuer.issuerId}.${idSuffix(serialNumber)}` : "" };
  }

  /**
   * Fields that live on objects: marked notShared, chosen before (sticky), or overridden by some pass (this
   * scans the template's passes: done when the class is synced, not per pass).
   */
  async objectFields(template: TemplateRecord, design: TemplateDesign): Promise<Set<string>> {
    const names = new Set(await this.store.objectFieldNames(template.id));
    for (const [name, spec] of Object.entries(design.fields)) if (spec.notShared === true) names.add(name);
    return names;
  }

  /** The object fields as the class was last synced with, plus notShared fields and these passes' own overrides. */
  async knownObjectFields(
    template: TemplateRecord,
    passes: PassRecord[],
  ): Promise<{ fields: Set<string>; synced: boolean; complete: boolean }> {
    const state = await this.store.storedClass(template.id);
    const fields = new Set(state?.object_fields ?? []);
    const design = designOf(template);
    for (const [name, spec] of Object.entries(design.fields)) if (spec.notShared === true) fields.add(name);
    let complete = true;
    for (const pass of passes) {
      for (const name of Object.keys(pass.overrides.fields ?? {})) {
        if (!fields.has(name)) complete = false;
        fields.add(name);
      }
    }
    return { fields, synced: state?.body_hash != null, complete };
  }

  /** The template's class, or with `group` its flight's (event's) class, whose fields hold the flight's values. */
  classBody(
    issuer: GoogleIssuer,
    template: TemplateRecord,
    objectFields: ReadonlySet<string>,
    group?: PassGroupRecord | null,
  ) {
    const design = designOf(template);
    return buildClass({
      kind: this.kindOf(template, group),
      classId: this.ids(issuer, template, undefined, group).classId,
      issuerName: template.projectName,
      templateName: template.name,
      design,
      headers: design.headers,
      fields: this.classFields(template, group),
      objectFields: group ? this.groupClassObjectFields(objectFields, group) : objectFields,
      logoUrl: this.logoUrl(design),
      callbackUrl: `${this.publicBaseUrl}/google/callback`,
      locations: template.locations,
    });
  }

  /** A class's fields: the template's, with the flight's (event's) values on a flight's class. */
  classFields(template: TemplateRecord, group?: PassGroupRecord | null): Record<string, FieldSpec> {
    const { fields } = designOf(template);
    return group ? withGroupValues(fields, group) : fields;
  }

  /** On a flight's class, the flight's fields are the class's own. */
  groupClassObjectFields(objectFields: ReadonlySet<string>, group: PassGroupRecord): Set<string> {
    return without(objectFields, (name) => Object.hasOwn(group.fields, name));
  }

  objectBody(issuer: GoogleIssuer, template: TemplateRecord, pass: PassRecord, objectFields: ReadonlySet<string>) {
    const design = designOf(template);
    const view = mergedView(design, pass.overrides);
    const { group } = pass;
    const { classId, objectId } = this.ids(issuer, template, pass.serialNumber, group);
    // A passenger's field with the flight's value is shown by the flight's class; one with a value of its own
    // (a passenger-specific override) stays on the object.
    const onObject = group
      ? without(
          objectFields,
          (name) =>
            Object.hasOwn(group.fields, name) &&
            String(groupEntry(group.fields[name]).value) === String(view.fields[name]?.value),
        )
      : objectFields;
    return {
      view,
      body: buildObject({
        kind: this.kindOf(template, group),
        classId,
        objectId,
        serialNumber: pass.serialNumber,
        templateName: template.name,
        issuerName: template.projectName,
        design,
        headers: view.headers,
        fields: view.fields,
        objectFields: onObject,
        logoUrl: this.logoUrl(design),
        locations: pass.locations,
        voided: isVoided(view.headers),
        now: new Date(this.clock.now()),
        messages: pass.messages ?? [],
        ...(pass.totp ? { rotating: { ...pass.totp.setting, keyHex: pass.totp.key.toString("hex") } } : {}),
        linkedObjectIds: (pass.linkedSerials ?? []).map((serial) => this.ids(issuer, template, serial).objectId),
      }),
    };
  }
}
