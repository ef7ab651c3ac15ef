// Builds a pass's Apple Wallet bundle: one query for the pass with its template, project, NFC key and locations,
// the signing identity (cached), the images (stored bytes, cached), then pass.json, signing and zipping.
import type pg from "pg";
import { designOf, mergedView, type PassOverrides } from "../domain/field-model.js";
import { type Beacon, type LocationInput, locationValue } from "../domain/values.js";
import { BUILT_IN, IMAGE_HEADERS, type ImageStore } from "../images/image-store.js";
import type { AppleIdentities, SigningIdentity } from "./identities.js";
import { buildPassJson, buildPersonalizationJson } from "./pass-json.js";
import { type BundleFile, PkpassWriter } from "./pkpass.js";

/** Everything a bundle is made of, read in one statement. */
export interface ApplePassRecord {
  id: number;
  accountId: number;
  serialNumber: string;
  authenticationToken: string;
  overrides: PassOverrides;
  beacons: Beacon[] | null;
  images: Record<string, string>;
  personalization: Record<string, unknown> | null;
  version: number;
  status: string;
  updatedAt: Date;
  publicUrlType: string | null;
  publicUrlUsed: boolean;
  templateId: number;
  templateType: string;
  templateName: string;
  templateDescription: string;
  vendor: string;
  design: unknown;
  projectId: number;
  projectName: string;
  projectType: string;
  projectSettings: unknown;
  nfcPublicKeyPem: string | null;
  locations: Array<Parameters<typeof locationValue>[0]>;
}

export interface PassAccess {
  id: number;
  authenticationToken: string;
  updatedAt: Date;
  projectId: number;
  vendor: string;
}

const RECORD_SQL = `SELECT p.id, p.account_id AS "accountId", p.serial_number AS "serialNumber",
  p.authentication_token AS "authenticationToken", p.overrides, p.beacons, p.images, p.personalization, p.version,
  p.status, p.updated_at AS "updatedAt", p.public_url_type AS "publicUrlType", p.public_url_used AS "publicUrlUsed",
  t.id AS "templateId", t.type AS "templateType", t.name AS "templateName", t.description AS "templateDescription",
  t.vendor, t.design, pr.id AS "projectId", pr.name AS "projectName", pr.project_type AS "projectType",
  pr.settings AS "projectSettings",
  (SELECT m.public_key_pem FROM nfc_merchants m WHERE m.project_id = pr.id AND upper(m.vendor) IN ('APPLE', 'ANY')
    ORDER BY m.created_at LIMIT 1) AS "nfcPublicKeyPem",
  COALESCE(
    (SELECT json_agg(json_build_object('latitude', l.latitude, 'longitude', l.longitude, 'altitude', l.altitude,
       'relevantText', l.relevant_text) ORDER BY l.id) FROM locations l WHERE l.pass_id = p.id),
    (SELECT json_agg(json_build_object('latitude', l.latitude, 'longitude', l.longitude, 'altitude', l.altitude,
       'relevantText', l.relevant_text) ORDER BY l.id) FROM locations l WHERE l.template_id = t.id),
    '[]'::json) AS locations
  FROM passes p JOIN templates t ON t.id = p.template_id JOIN projects pr ON pr.id = t.project_id`;

const LOCATION_DEFAULTS = {
  streetAddress1: null,
  streetAddress2: null,
  city: null,
  region: null,
  regionCode: null,
  country: null,
};

export class ApplePassBuilder {
  private readonly writer = new PkpassWriter();

  constructor(
    private readonly pool: pg.Pool,
    private readonly identities: AppleIdentities,
    private readonly images: ImageStore,
    /** The PassKit web service base (PUBLIC_BASE_URL + /apple). */
    private readonly webServiceURL: string,
  ) {}

  /** A pass of an account (or, without `accountId`, any pass: the web service has authorized it already). */
  async byId(accountId: number | null, passId: number): Promise<ApplePassRecord | undefined> {
    const { rows } = await this.pool.query<ApplePassRecord>({
      name: "apple-pass-by-id",
      text: `${RECORD_SQL} WHERE p.id = $1 AND ($2::int IS NULL OR p.account_id = $2)`,
      values: [passId, accountId],
    });
    return rows[0];
  }

  /** Just what authorizing a device's request needs (and a 304 answer): one index lookup, no joins' worth of JSON. */
  async accessBySerial(serialNumber: string): Promise<PassAccess | undefined> {
    const { rows } = await this.pool.query<PassAccess>({
      name: "apple-pass-access",
      text: `SELECT p.id, p.authentication_token AS "authenticationToken", p.updated_at AS "updatedAt",
               t.project_id AS "projectId", t.vendor
               FROM passes p JOIN templates t ON t.id = p.template_id WHERE p.serial_number = $1`,
      values: [serialNumber],
    });
    return rows[0];
  }

  async byPublicToken(token: string): Promise<ApplePassRecord | undefined> {
    const { rows } = await this.pool.query<ApplePassRecord>({
      name: "apple-pass-by-public-token",
      text: `${RECORD_SQL} WHERE p.public_url_token = $1`,
      values: [token],
    });
    return rows[0];
  }

  identityOf(record: { projectId: number }): Promise<SigningIdentity> {
    return this.identities.forProject(record.projectId);
  }

  /** The pass.json of a pass (what viewJSONPass shows and the bundle holds). */
  passJson(record: ApplePassRecord, identity: SigningIdentity): Record<string, unknown> {
    const design = designOf(record);
    const view = mergedView(design, record.overrides);
    const nfcPublicKey = record.nfcPublicKeyPem
      ? record.nfcPublicKeyPem.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s/g, "")
      : undefined;
    return buildPassJson({
      templateType: record.templateType,
      projectType: record.projectType,
      headers: view.headers,
      fields: view.fields,
      serialNumber: record.serialNumber,
      authenticationToken: record.authenticationToken,
      webServiceURL: this.webServiceURL,
      passTypeIdentifier: identity.passTypeIdentifier,
      teamIdentifier: identity.teamIdentifier,
      organizationName: record.projectName,
      description: record.templateDescription || record.templateName,
      locations: record.locations.map((l) => locationValue({ ...LOCATION_DEFAULTS, ...l }) as LocationInput),
      beacons: record.beacons ?? design.beacons,
      ...(nfcPublicKey ? { nfcPublicKey } : {}),
    });
  }

  /** The signed .pkpass bytes. */
  async bundle(record: ApplePassRecord, identity?: SigningIdentity): Promise<Buffer> {
    const signing = identity ?? (await this.identityOf(record));
    const design = designOf(record);
    const chosen: Record<string, string> = { ...(design.images ?? {}), ...record.images };
    const stored = await this.images.load(Object.values(chosen));
    const files: BundleFile[] = [];
    const add = (name: string, id: string, data: Buffer | undefined) => {
      if (data) files.push({ name, id, data });
    };
    for (const [header, hash] of Object.entries(chosen)) {
      const base = IMAGE_HEADERS[header];
      if (!base) continue;
      // One image given: Wallet uses the @2x file on Retina screens and scales the plain one elsewhere.
      add(`${base}.png`, hash, stored.get(hash));
      add(`${base}@2x.png`, hash, stored.get(hash));
    }
    if (!chosen.icon_image) {
      add("icon.png", BUILT_IN.icon.sha256, BUILT_IN.icon.data);
      add("icon@2x.png", BUILT_IN.icon2x.sha256, BUILT_IN.icon2x.data);
      add("icon@3x.png", BUILT_IN.icon3x.sha256, BUILT_IN.icon3x.data);
    }
    if (!chosen.logo_image) {
      add("logo.png", BUILT_IN.logo.sha256, BUILT_IN.logo.data);
      add("logo@2x.png", BUILT_IN.logo2x.sha256, BUILT_IN.logo2x.data);
    }
    const json: Record<string, unknown> = { "pass.json": this.passJson(record, signing) };
    if (design.personalization && record.personalization === null) {
      json["personalization.json"] = buildPersonalizationJson(design.personalization);
      const logo = chosen.logo_image ? stored.get(chosen.logo_image) : BUILT_IN.logo2x.data;
      add("personalizationLogo.png", chosen.logo_image ?? BUILT_IN.logo2x.sha256, logo);
    }
    return this.writer.write(signing.signer, json, files);
  }
}
