// What Google is sent, read from the store: a Google template's class body and each pass's object body, with
// the ids, logo URL and the split of fields between class and objects. Shared by the sync and the save links.
import { createHash } from "node:crypto";
import type pg from "pg";
import { designOf, isVoided, mergedView, type PassOverrides, type TemplateDesign } from "../domain/field-model.js";
import type { LocationInput } from "../domain/values.js";
import { BUILT_IN } from "../images/image-store.js";
import type { GoogleIssuer } from "./credentials.js";
import { buildClass, buildObject, googleKindOf, idSuffix } from "./mapping.js";

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
}

const LOCATION_JSON = `json_build_object('latitude', l.latitude, 'longitude', l.longitude)`;

export const hash = (body: unknown) => createHash("sha256").update(JSON.stringify(body)).digest("hex");

export class GoogleBodies {
  constructor(
    private readonly pool: pg.Pool,
    private readonly publicBaseUrl: string,
  ) {}

  /** The Google pass type of a template (its type, project type and, for flights, its fields). */
  kindOf(template: TemplateRecord) {
    return googleKindOf(template.type, template.projectType, designOf(template).fields);
  }

  async template(templateId: number): Promise<TemplateRecord | undefined> {
    const { rows } = await this.pool.query<TemplateRecord>({
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

  async passes(passIds: number[]): Promise<PassRecord[]> {
    const { rows } = await this.pool.query<PassRecord>({
      name: "google-passes",
      text: `SELECT p.id, p.template_id AS "templateId", p.serial_number AS "serialNumber", p.overrides,
               COALESCE((SELECT json_agg(${LOCATION_JSON} ORDER BY l.id) FROM locations l WHERE l.pass_id = p.id), '[]')
                 AS locations
               FROM passes p JOIN templates t ON t.id = p.template_id
              WHERE p.id = ANY($1::int[]) AND t.vendor = 'Google' ORDER BY p.id`,
      values: [passIds],
    });
    return rows;
  }

  /** Where Google fetches the logo: the template's own URL, a stored image we serve, or our built-in logo. */
  logoUrl(design: TemplateDesign): string {
    const stored = design.images?.["titleModule.image"];
    if (stored) return `${this.publicBaseUrl}/images/${stored}.png`;
    const given = design.modules.titleModule?.image;
    if (typeof given === "string" && /^https?:\/\//.test(given)) return given;
    return `${this.publicBaseUrl}/images/${BUILT_IN.logo2x.sha256}.png`;
  }

  ids(issuer: GoogleIssuer, template: TemplateRecord, serialNumber?: string) {
    const classId = `${issuer.issuerId}.${idSuffix(`${template.contextId.slice(0, 12)}-t${template.id}`)}`;
    return { classId, objectId: serialNumber ? `${issuer.issuerId}.${idSuffix(serialNumber)}` : "" };
  }

  /**
   * Fields that live on objects: marked notShared, chosen before (sticky), or overridden by some pass (this
   * scans the template's passes: done when the class is synced, not per pass).
   */
  async objectFields(template: TemplateRecord, design: TemplateDesign): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ name: string }>({
      name: "google-object-fields",
      text: `SELECT unnest(object_fields) AS name FROM google_classes WHERE template_id = $1
             UNION SELECT DISTINCT k FROM passes p, jsonb_object_keys(COALESCE(p.overrides->'fields', '{}'::jsonb)) k
              WHERE p.template_id = $1`,
      values: [template.id],
    });
    const names = new Set(rows.map((r) => r.name));
    for (const [name, spec] of Object.entries(design.fields)) if (spec.notShared === true) names.add(name);
    return names;
  }

  /** The object fields as the class was last synced with, plus notShared fields and these passes' own overrides. */
  async knownObjectFields(
    template: TemplateRecord,
    passes: PassRecord[],
  ): Promise<{ fields: Set<string>; synced: boolean; complete: boolean }> {
    const { rows } = await this.pool.query<{ object_fields: string[]; body_hash: string | null }>({
      name: "google-class-state",
      text: "SELECT object_fields, body_hash FROM google_classes WHERE template_id = $1",
      values: [template.id],
    });
    const fields = new Set(rows[0]?.object_fields ?? []);
    const design = designOf(template);
    for (const [name, spec] of Object.entries(design.fields)) if (spec.notShared === true) fields.add(name);
    let complete = true;
    for (const pass of passes) {
      for (const name of Object.keys(pass.overrides.fields ?? {})) {
        if (!fields.has(name)) complete = false;
        fields.add(name);
      }
    }
    return { fields, synced: rows[0]?.body_hash != null, complete };
  }

  classBody(issuer: GoogleIssuer, template: TemplateRecord, objectFields: ReadonlySet<string>) {
    const design = designOf(template);
    return buildClass({
      kind: this.kindOf(template),
      classId: this.ids(issuer, template).classId,
      issuerName: template.projectName,
      templateName: template.name,
      design,
      headers: design.headers,
      fields: design.fields,
      objectFields,
      logoUrl: this.logoUrl(design),
      callbackUrl: `${this.publicBaseUrl}/google/callback`,
      locations: template.locations,
    });
  }

  objectBody(issuer: GoogleIssuer, template: TemplateRecord, pass: PassRecord, objectFields: ReadonlySet<string>) {
    const design = designOf(template);
    const view = mergedView(design, pass.overrides);
    const { classId, objectId } = this.ids(issuer, template, pass.serialNumber);
    return {
      view,
      body: buildObject({
        kind: this.kindOf(template),
        classId,
        objectId,
        serialNumber: pass.serialNumber,
        templateName: template.name,
        issuerName: template.projectName,
        design,
        headers: view.headers,
        fields: view.fields,
        objectFields,
        logoUrl: this.logoUrl(design),
        locations: pass.locations,
        voided: isVoided(view.headers),
      }),
    };
  }
}
