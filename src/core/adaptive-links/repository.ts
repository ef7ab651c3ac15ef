// Storage of adaptive links, their flights and events, and the atomic "one more pass" counter.
import { randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { isUniqueViolation } from "../../db/driver-errors.js";
import type { Queryable } from "../../db/queryable.js";
import type { LocationInput } from "../../domain/values.js";
import { AppError } from "../../errors.js";

/** What a link's owner sets (and a partial update may change). */
export interface LinkSettings {
  iosTemplateId: number | null;
  androidTemplateId: number | null;
  payload: Record<string, unknown>;
  locations: LocationInput[];
  landingPageUrl: string | null;
  isPersonalized: boolean;
  expirationDate: Date | null;
  ttlInDays: number | null;
  parameterEncoding: string | null;
  locationRadius: number | null;
  maxResultLocations: number | null;
}

export interface LinkRow extends LinkSettings {
  id: string;
  accountId: number;
  projectId: number;
  projectExternalId: string | null;
  externalId: string | null;
  iosTemplateExternalId: string | null;
  androidTemplateExternalId: string | null;
  iosPassLinkId: string;
  androidPassLinkId: string;
  availablePasses: number | null;
  flightId: number | null;
  flightExternalId: string | null;
  flightFields: Record<string, unknown> | null;
  eventId: number | null;
  eventExternalId: string | null;
  eventFields: Record<string, unknown> | null;
  iosPassId: number | null;
  androidPassId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

const LINK_SQL = `SELECT l.id, l.account_id AS "accountId", l.project_id AS "projectId", pr.external_id AS "projectExternalId",
  l.external_id AS "externalId", l.ios_template_id AS "iosTemplateId", l.android_template_id AS "androidTemplateId",
  it.external_id AS "iosTemplateExternalId", at.external_id AS "androidTemplateExternalId",
  l.ios_pass_link_id AS "iosPassLinkId", l.android_pass_link_id AS "androidPassLinkId", l.payload, l.locations,
  l.landing_page_url AS "landingPageUrl", l.available_passes AS "availablePasses", l.is_personalized AS "isPersonalized",
  l.expiration_date AS "expirationDate", l.ttl_in_days AS "ttlInDays", l.parameter_encoding AS "parameterEncoding",
  l.location_radius AS "locationRadius", l.max_result_locations AS "maxResultLocations",
  l.flight_id AS "flightId", f.external_id AS "flightExternalId", f.fields AS "flightFields",
  l.event_id AS "eventId", e.external_id AS "eventExternalId", e.fields AS "eventFields",
  l.ios_pass_id AS "iosPassId", l.android_pass_id AS "androidPassId", l.created_at AS "createdAt", l.updated_at AS "updatedAt"
  FROM adaptive_links l JOIN projects pr ON pr.id = l.project_id
  LEFT JOIN templates it ON it.id = l.ios_template_id LEFT JOIN templates at ON at.id = l.android_template_id
  LEFT JOIN link_groups f ON f.id = l.flight_id LEFT JOIN link_groups e ON e.id = l.event_id`;

export interface LinkData extends LinkSettings {
  projectId: number;
  externalId?: string | null;
  availablePasses: number;
  flightId?: number | null;
  eventId?: number | null;
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/** An 11-character random link id (65 bits). */
export function newLinkId(): string {
  const bytes = randomBytes(11);
  return [...bytes].map((b) => ALPHABET[b % 62]).join("");
}

export type LinkKey = { id: string } | { projectId: number; externalId: string };

export class LinkRepository {
  constructor(private readonly pool: pg.Pool) {}

  async find(accountId: number, key: LinkKey, db: Queryable = this.pool): Promise<LinkRow | undefined> {
    const { rows } =
      "id" in key
        ? await db.query<LinkRow>({
            name: "link-by-id",
            text: `${LINK_SQL} WHERE l.id = $1 AND l.account_id = $2`,
            values: [key.id, accountId],
          })
        : await db.query<LinkRow>({
            name: "link-by-external-id",
            text: `${LINK_SQL} WHERE l.project_id = $1 AND l.external_id = $2 AND l.account_id = $3`,
            values: [key.projectId, key.externalId, accountId],
          });
    return rows[0];
  }

  /** A link by id, whoever owns it (the public pass URLs carry only the id). */
  async byId(id: string, db: Queryable = this.pool): Promise<LinkRow | undefined> {
    const { rows } = await db.query<LinkRow>({
      name: "link-public",
      text: `${LINK_SQL} WHERE l.id = $1`,
      values: [id],
    });
    return rows[0];
  }

  /** The link whose iOS or Android pass link is this id (to copy its template and payload). */
  async byPassLinkId(accountId: number, passLinkId: string, db: Queryable = this.pool) {
    const { rows } = await db.query<LinkRow>(
      `${LINK_SQL} WHERE l.account_id = $1 AND (l.ios_pass_link_id = $2 OR l.android_pass_link_id = $2) LIMIT 1`,
      [accountId, passLinkId],
    );
    return rows[0];
  }

  /** The settings columns' values, in the order create and update list them ($5 on in create, $2 on in update). */
  private settings(data: Omit<LinkData, "projectId" | "externalId">): unknown[] {
    return [
      data.iosTemplateId,
      data.androidTemplateId,
      JSON.stringify(data.payload),
      JSON.stringify(data.locations),
      data.landingPageUrl,
      data.availablePasses,
      data.isPersonalized,
      data.expirationDate,
      data.ttlInDays,
      data.parameterEncoding,
      data.locationRadius,
      data.maxResultLocations,
    ];
  }

  async create(accountId: number, data: LinkData, db: Queryable = this.pool): Promise<string> {
    const id = newLinkId();
    try {
      await db.query(
        `INSERT INTO adaptive_links (id, account_id, project_id, external_id, ios_template_id, android_template_id,
           payload, locations, landing_page_url, available_passes, is_personalized, expiration_date, ttl_in_days,
           parameter_encoding, location_radius, max_result_locations, ios_pass_link_id, android_pass_link_id,
           flight_id, event_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
        [
          id,
          accountId,
          data.projectId,
          data.externalId ?? null,
          ...this.settings(data),
          randomUUID(),
          randomUUID(),
          data.flightId ?? null,
          data.eventId ?? null,
        ],
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError(
          "ADAPTIVE_LINK_EXISTS",
          `An adaptive link with external id "${data.externalId}" already exists`,
        );
      throw error;
    }
    return id;
  }

  async update(id: string, data: Omit<LinkData, "projectId" | "externalId">, db: Queryable = this.pool): Promise<void> {
    await db.query(
      `UPDATE adaptive_links SET ios_template_id = $2, android_template_id = $3, payload = $4, locations = $5,
         landing_page_url = $6, available_passes = $7, is_personalized = $8, expiration_date = $9, ttl_in_days = $10,
         parameter_encoding = $11, location_radius = $12, max_result_locations = $13, updated_at = now()
       WHERE id = $1`,
      [id, ...this.settings(data)],
    );
  }

  async delete(accountId: number, id: string, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query("DELETE FROM adaptive_links WHERE id = $1 AND account_id = $2", [
      id,
      accountId,
    ]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * A page of links, newest first, after the `after` keyset token (`<id>.<createdAt ms>`): the account's, a
   * project's, or a project template's.
   */
  async list(
    accountId: number,
    filter: { projectId?: number; templateId?: number },
    page: { size: number; after?: { id: string; createdAt: Date } },
    db: Queryable = this.pool,
  ): Promise<LinkRow[]> {
    const where = ["l.account_id = $1"];
    const values: unknown[] = [accountId];
    if (filter.projectId !== undefined) {
      values.push(filter.projectId);
      where.push(`l.project_id = $${values.length}`);
    }
    if (filter.templateId !== undefined) {
      values.push(filter.templateId);
      where.push(`(l.ios_template_id = $${values.length} OR l.android_template_id = $${values.length})`);
    }
    if (page.after) {
      values.push(page.after.createdAt, page.after.id);
      where.push(`(l.created_at, l.id) < ($${values.length - 1}, $${values.length})`);
    }
    values.push(page.size);
    const { rows } = await db.query<LinkRow>(
      `${LINK_SQL} WHERE ${where.join(" AND ")} ORDER BY l.created_at DESC, l.id DESC LIMIT $${values.length}`,
      values,
    );
    return rows;
  }

  /** Takes one pass from the link's allowance; false when none is left (never goes below zero). */
  async takePass(id: string, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query({
      name: "link-take-pass",
      text: "UPDATE adaptive_links SET available_passes = available_passes - 1 WHERE id = $1 AND available_passes > 0",
      values: [id],
    });
    return (rowCount ?? 0) > 0;
  }

  async returnPass(id: string, db: Queryable = this.pool): Promise<void> {
    await db.query("UPDATE adaptive_links SET available_passes = available_passes + 1 WHERE id = $1", [id]);
  }

  /** Creates or updates a flight or event by external id (or id); returns its id and whether it changed. */
  async upsertGroup(
    kind: "flight" | "event",
    projectId: number,
    key: { id?: number; externalId?: string },
    fields: Record<string, unknown> | undefined,
    db: Queryable = this.pool,
  ): Promise<{ id: number; externalId: string | null; changed: boolean } | undefined> {
    if (key.id !== undefined) {
      const { rows } = await db.query<{ id: number; external_id: string | null; changed: boolean }>(
        `UPDATE link_groups SET fields = CASE WHEN $3::jsonb IS NULL THEN fields ELSE fields || $3::jsonb END,
           updated_at = now() WHERE id = $1 AND project_id = $2 AND kind = $4
         RETURNING id, external_id, $3::jsonb IS NOT NULL AS changed`,
        [key.id, projectId, fields ? JSON.stringify(fields) : null, kind],
      );
      return rows[0] && { id: rows[0].id, externalId: rows[0].external_id, changed: rows[0].changed };
    }
    const { rows } = await db.query<{ id: number; external_id: string | null; inserted: boolean }>(
      `INSERT INTO link_groups (project_id, kind, external_id, fields) VALUES ($1, $4, $2, $3)
       ON CONFLICT (project_id, kind, external_id) DO UPDATE SET fields = link_groups.fields || EXCLUDED.fields,
         updated_at = now()
       RETURNING id, external_id, (xmax = 0) AS inserted`,
      [projectId, key.externalId ?? null, JSON.stringify(fields ?? {}), kind],
    );
    const row = rows[0]!;
    return { id: row.id, externalId: row.external_id, changed: !row.inserted && fields !== undefined };
  }

  async findByExternalIdInProject(projectId: number, externalId: string, db: Queryable = this.pool) {
    const { rows } = await db.query<{ id: string }>(
      "SELECT id FROM adaptive_links WHERE project_id = $1 AND external_id = $2",
      [projectId, externalId],
    );
    return rows[0]?.id;
  }

  async setGroup(
    linkId: string,
    column: "flight_id" | "event_id",
    groupId: number,
    payload: Record<string, unknown>,
    db: Queryable = this.pool,
  ) {
    await db.query(`UPDATE adaptive_links SET ${column} = $2, payload = $3, updated_at = now() WHERE id = $1`, [
      linkId,
      groupId,
      JSON.stringify(payload),
    ]);
  }

  /** Remembers the pass a non-personalized link hands out on this platform (first writer wins). */
  async setSharedPass(
    linkId: string,
    platform: "ios" | "android",
    passId: number,
    db: Queryable = this.pool,
  ): Promise<number> {
    const column = platform === "ios" ? "ios_pass_id" : "android_pass_id";
    const { rows } = await db.query<{ id: number }>(
      `UPDATE adaptive_links SET ${column} = COALESCE(${column}, $2) WHERE id = $1 RETURNING ${column} AS id`,
      [linkId, passId],
    );
    return rows[0]?.id ?? passId;
  }

  /** The account's template a link names (id or external id): its vendor and project. */
  async templateOf(accountId: number, key: { id: number } | { externalId: string }, db: Queryable = this.pool) {
    const [where, value] = "id" in key ? ["id = $2", key.id] : ["external_id = $2", key.externalId];
    const { rows } = await db.query<{
      id: number;
      vendor: string;
      projectId: number;
      externalId: string | null;
    }>(
      `SELECT id, vendor, project_id AS "projectId", external_id AS "externalId" FROM templates
        WHERE account_id = $1 AND ${where}`,
      [accountId, value],
    );
    return rows[0];
  }

  /** The account's project a path names (id or external id). */
  async projectIdOf(
    accountId: number,
    project: { id: number } | { externalId: string },
    db: Queryable = this.pool,
  ): Promise<number | undefined> {
    const [where, value] = "id" in project ? ["id = $2", project.id] : ["external_id = $2", project.externalId];
    const { rows } = await db.query<{ id: number }>(`SELECT id FROM projects WHERE account_id = $1 AND ${where}`, [
      accountId,
      value,
    ]);
    return rows[0]?.id;
  }

  /** The ids of the link's passes with this external id (one per template at most). */
  async passIdsByExternalId(linkId: string, passExternalId: string, db: Queryable = this.pool): Promise<number[]> {
    const { rows } = await db.query<{ id: number }>(
      "SELECT id FROM passes WHERE adaptive_link_id = $1 AND external_id = $2 ORDER BY id",
      [linkId, passExternalId],
    );
    return rows.map((r) => r.id);
  }

  /** A template's design and names, for making a link's passes and its landing page. */
  async templateDesign(id: number, db: Queryable = this.pool) {
    const { rows } = await db.query<{
      id: number;
      vendor: string;
      name: string;
      design: unknown;
      projectName: string;
    }>({
      name: "link-template",
      text: `SELECT t.id, t.vendor, t.name, t.design, p.name AS "projectName" FROM templates t
               JOIN projects p ON p.id = t.project_id WHERE t.id = $1`,
      values: [id],
    });
    return rows[0];
  }

  /** Removes a pass a link made but lost to a concurrent first request. */
  async deletePass(passId: number, db: Queryable = this.pool): Promise<void> {
    await db.query("DELETE FROM passes WHERE id = $1", [passId]);
  }
}
