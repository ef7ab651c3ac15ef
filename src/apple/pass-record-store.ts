// The records Apple bundles are built from: a pass with its template, project, NFC key and locations in one
// statement (by id, or by public link token), and the light lookup the web service authorizes devices with.
import type pg from "pg";
import type { Queryable } from "../db/queryable.js";
import type { PassOverrides } from "../domain/field-model.js";
import type { Beacon, locationValue } from "../domain/values.js";

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
  /** A pass made from an adaptive link: its flight's (event's) fields with its passenger's (attendee's) over them. */
  linkFields: Record<string, unknown> | null;
  /** Its flight's (event's) explicit semantic tags. */
  linkSemantics: Record<string, unknown> | null;
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
    '[]'::json) AS locations,
  (SELECT COALESCE(g.fields, '{}'::jsonb) || COALESCE(l.payload->'fields', '{}'::jsonb)
     FROM adaptive_links l LEFT JOIN link_groups g ON g.id = COALESCE(l.flight_id, l.event_id)
    WHERE l.id = p.adaptive_link_id) AS "linkFields",
  (SELECT g.semantics FROM adaptive_links l JOIN link_groups g ON g.id = COALESCE(l.flight_id, l.event_id)
    WHERE l.id = p.adaptive_link_id) AS "linkSemantics"
  FROM passes p JOIN templates t ON t.id = p.template_id JOIN projects pr ON pr.id = t.project_id`;

export class ApplePassRecords {
  constructor(private readonly pool: pg.Pool) {}

  /** A pass of an account (or, without `accountId`, any pass: the web service has authorized it already). */
  async byId(
    accountId: number | null,
    passId: number,
    db: Queryable = this.pool,
  ): Promise<ApplePassRecord | undefined> {
    const { rows } = await db.query<ApplePassRecord>({
      name: "apple-pass-by-id",
      text: `${RECORD_SQL} WHERE p.id = $1 AND ($2::int IS NULL OR p.account_id = $2)`,
      values: [passId, accountId],
    });
    return rows[0];
  }

  /** Just what authorizing a device's request needs (and a 304 answer): one index lookup, no joins' worth of JSON. */
  async accessBySerial(serialNumber: string, db: Queryable = this.pool): Promise<PassAccess | undefined> {
    const { rows } = await db.query<PassAccess>({
      name: "apple-pass-access",
      text: `SELECT f.id, f.authentication_token AS "authenticationToken", f.updated_at AS "updatedAt",
               f.project_id AS "projectId", f.vendor
               FROM pass_facts f WHERE f.serial_number = $1`,
      values: [serialNumber],
    });
    return rows[0];
  }

  /**
   * A template as a pass of it with nothing of its own would be (its defaults): what a template's preview shows.
   * Undefined when the account has no such template.
   */
  async specimen(
    accountId: number,
    key: { id: number } | { externalId: string },
    db: Queryable = this.pool,
  ): Promise<ApplePassRecord | undefined> {
    const { rows } = await db.query<ApplePassRecord>(
      `SELECT 0 AS id, t.account_id AS "accountId", 'preview' AS "serialNumber", '' AS "authenticationToken",
         '{}'::jsonb AS overrides, NULL::jsonb AS beacons, '{}'::jsonb AS images, NULL::jsonb AS personalization,
         1 AS version, 'not_been_installed' AS status, t.updated_at AS "updatedAt", NULL AS "publicUrlType",
         false AS "publicUrlUsed", t.id AS "templateId", t.type AS "templateType", t.name AS "templateName",
         t.description AS "templateDescription", t.vendor, t.design, pr.id AS "projectId", pr.name AS "projectName",
         pr.project_type AS "projectType", pr.settings AS "projectSettings",
         (SELECT m.public_key_pem FROM nfc_merchants m WHERE m.project_id = pr.id AND upper(m.vendor) IN ('APPLE', 'ANY')
           ORDER BY m.created_at LIMIT 1) AS "nfcPublicKeyPem",
         COALESCE((SELECT json_agg(json_build_object('latitude', l.latitude, 'longitude', l.longitude,
           'altitude', l.altitude, 'relevantText', l.relevant_text) ORDER BY l.id)
           FROM locations l WHERE l.template_id = t.id), '[]'::json) AS locations,
         NULL::jsonb AS "linkFields", NULL::jsonb AS "linkSemantics"
         FROM templates t JOIN projects pr ON pr.id = t.project_id
        WHERE t.account_id = $1 AND ${"id" in key ? "t.id = $2" : "t.external_id = $2"}`,
      [accountId, "id" in key ? key.id : key.externalId],
    );
    return rows[0];
  }

  async byPublicToken(token: string, db: Queryable = this.pool): Promise<ApplePassRecord | undefined> {
    const { rows } = await db.query<ApplePassRecord>({
      name: "apple-pass-by-public-token",
      text: `${RECORD_SQL} WHERE p.public_url_token = $1`,
      values: [token],
    });
    return rows[0];
  }
}
