// Storage of templates, their locations, and the template-wide changes that reach every pass.

import type pg from "pg";
import type { Clock } from "../../clock.js";
import { isUniqueViolation } from "../../db/driver-errors.js";
import type { Queryable } from "../../db/queryable.js";
import { allowLongStatements, inTransaction } from "../../db/transaction.js";
import type { TemplateDesign } from "../../domain/field-model.js";
import type { LocationInput } from "../../domain/values.js";
import { AppError } from "../../errors.js";
import { recordPassEvents } from "../../events/pass-event-store.js";
import { enqueueTemplateSync } from "../../jobs/queue-store.js";
import type { Key } from "../ids.js";
import { insertLocations, LOCATION_COLUMNS, type LocationRow } from "../location-store.js";
import type { Page } from "../pagination.js";
import { ensureDefaultProject } from "../projects/default-project-store.js";

export type TemplateOrder = "id" | "name" | "createdAt" | "updatedAt";

export interface TemplateRow {
  id: number;
  accountId: number;
  projectId: number;
  externalId: string | null;
  name: string;
  description: string;
  vendor: string;
  type: string;
  design: unknown;
  disabled: boolean;
  createdAt: Date;
  updatedAt: Date;
  project: { id: number; name: string; projectType: string };
}

const TEMPLATE_COLUMNS = `t.id, t.account_id AS "accountId", t.project_id AS "projectId", t.external_id AS "externalId",
  t.name, t.description, t.vendor, t.type, t.design, t.disabled, t.created_at AS "createdAt",
  t.updated_at AS "updatedAt",
  json_build_object('id', pr.id, 'name', pr.name, 'projectType', pr.project_type) AS project`;
const FROM_TEMPLATES = "FROM templates t JOIN projects pr ON pr.id = t.project_id";

const ORDER_COLUMNS: Record<TemplateOrder, string> = {
  id: "t.id",
  name: "t.name",
  createdAt: "t.created_at",
  updatedAt: "t.updated_at",
};

export interface TemplateFields {
  name: string;
  description: string;
  vendor: string;
  type: string;
  design: TemplateDesign;
}

/** The SQL condition (on $1 = account, $2 = the key's value) naming a template by id or external id. */
const whereOf = (key: Key): [string, number | string] =>
  "id" in key
    ? ["t.account_id = $1 AND t.id = $2", key.id]
    : ["t.account_id = $1 AND t.external_id = $2", key.externalId];

/** What pass operations need of a template, read in one statement. */
export interface PassTemplate {
  id: number;
  vendor: string;
  design: unknown;
  /** Its project's settings (their barcode defaults apply to the template's passes). */
  projectSettings: unknown;
  locations: LocationRow[];
}

export type { LocationRow };

const PASS_TEMPLATE_SQL = `SELECT t.id, t.vendor, t.design,
  (SELECT pr.settings FROM projects pr WHERE pr.id = t.project_id) AS "projectSettings",
  (SELECT COALESCE(json_agg(json_build_object(
     'id', l.id, 'templateId', l.template_id, 'passId', l.pass_id, 'latitude', l.latitude, 'longitude', l.longitude,
     'altitude', l.altitude, 'relevantText', l.relevant_text, 'streetAddress1', l.street_address1,
     'streetAddress2', l.street_address2, 'city', l.city, 'region', l.region, 'regionCode', l.region_code,
     'country', l.country, 'createdAt', l.created_at) ORDER BY l.id), '[]'::json)
   FROM locations l WHERE l.template_id = t.id) AS locations
  FROM templates t`;

export class TemplateRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {}

  async exists(accountId: number, id: number, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query({
      name: "template-exists",
      text: "SELECT 1 FROM templates WHERE account_id = $1 AND id = $2",
      values: [accountId, id],
    });
    return (rowCount ?? 0) > 0;
  }

  /** The template with its locations for pass operations (prepared statement: the pass hot path). */
  async forPasses(accountId: number, key: Key, db: Queryable = this.pool): Promise<PassTemplate | null> {
    const { rows } =
      "id" in key
        ? await db.query<PassTemplate>({
            name: "pass-template-by-id",
            text: `${PASS_TEMPLATE_SQL} WHERE t.account_id = $1 AND t.id = $2`,
            values: [accountId, key.id],
          })
        : await db.query<PassTemplate>({
            name: "pass-template-by-external-id",
            text: `${PASS_TEMPLATE_SQL} WHERE t.account_id = $1 AND t.external_id = $2`,
            values: [accountId, key.externalId],
          });
    const row = rows[0];
    if (!row) return null;
    return { ...row, locations: row.locations.map((l) => ({ ...l, createdAt: new Date(l.createdAt) })) };
  }

  async find(accountId: number, key: Key, db: Queryable = this.pool): Promise<TemplateRow | null> {
    const [where, value] = whereOf(key);
    const { rows } = await db.query<TemplateRow>(`SELECT ${TEMPLATE_COLUMNS} ${FROM_TEMPLATES} WHERE ${where}`, [
      accountId,
      value,
    ]);
    return rows[0] ?? null;
  }

  async list(accountId: number, page: Page<TemplateOrder>, db: Queryable = this.pool) {
    const direction = page.direction === "ASC" ? "ASC" : "DESC";
    const tieBreak = page.order === "id" ? "" : `, t.id ${direction}`;
    const [count, rows] = await Promise.all([
      db.query<{ n: number }>("SELECT count(*)::int AS n FROM templates WHERE account_id = $1", [accountId]),
      db.query<TemplateRow>(
        `SELECT ${TEMPLATE_COLUMNS} ${FROM_TEMPLATES} WHERE t.account_id = $1
          ORDER BY ${ORDER_COLUMNS[page.order]} ${direction}${tieBreak} LIMIT $2 OFFSET $3`,
        [accountId, page.pageSize, page.start],
      ),
    ]);
    return { count: count.rows[0]!.n, rows: rows.rows };
  }

  async locations(templateId: number, db: Queryable = this.pool): Promise<LocationRow[]> {
    const { rows } = await db.query<LocationRow>(
      `SELECT ${LOCATION_COLUMNS} FROM locations WHERE template_id = $1 ORDER BY id`,
      [templateId],
    );
    return rows;
  }

  /** Creates a template in a project, or (`"default"`) in the account's default project, made if needed. */
  async create(
    accountId: number,
    project: number | "default",
    fields: TemplateFields,
    externalId: string | undefined,
    locations: LocationInput[],
  ): Promise<number> {
    try {
      return await inTransaction(this.pool, async (client) => {
        const projectId = project === "default" ? await ensureDefaultProject(client, accountId) : project;
        const { rows } = await client.query<{ id: number }>(
          `INSERT INTO templates (account_id, project_id, external_id, name, description, vendor, type, design)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
          [
            accountId,
            projectId,
            externalId ?? null,
            fields.name,
            fields.description,
            fields.vendor,
            fields.type,
            JSON.stringify(fields.design),
          ],
        );
        const templateId = rows[0]!.id;
        await insertLocations(client, { templateId }, locations);
        await enqueueTemplateSync(client, templateId);
        return templateId;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError("TEMPLATE_EXISTS", `A template with external id "${externalId}" already exists`);
      throw error;
    }
  }

  /** Runs `change` in a transaction, then marks every pass of the template changed (new version + event). */
  async changeReachingPasses<T>(templateId: number, change: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, async (client) => {
      await allowLongStatements(client);
      const result = await change(client);
      await client.query("UPDATE templates SET updated_at = $2 WHERE id = $1", [
        templateId,
        new Date(this.clock.now()),
      ]);
      // Passes are locked in id order, as every change of several passes locks them (docs/concurrency.md).
      await client.query(
        `UPDATE passes SET version = version + 1, updated_at = now()
          WHERE id IN (SELECT id FROM passes WHERE template_id = $1 ORDER BY id FOR NO KEY UPDATE)`,
        [templateId],
      );
      await recordPassEvents(client, { templateId }, "updated");
      await enqueueTemplateSync(client, templateId);
      return result;
    });
  }

  replace(templateId: number, fields: TemplateFields, locations: LocationInput[] | undefined) {
    return this.changeReachingPasses(templateId, async (client) => {
      await client.query(
        "UPDATE templates SET name = $2, description = $3, vendor = $4, type = $5, design = $6 WHERE id = $1",
        [templateId, fields.name, fields.description, fields.vendor, fields.type, JSON.stringify(fields.design)],
      );
      if (locations !== undefined) {
        await client.query("DELETE FROM locations WHERE template_id = $1", [templateId]);
        await insertLocations(client, { templateId }, locations);
      }
    });
  }

  setDesign(templateId: number, design: TemplateDesign) {
    return this.changeReachingPasses(templateId, async (client) => {
      await client.query("UPDATE templates SET design = $2 WHERE id = $1", [templateId, JSON.stringify(design)]);
    });
  }

  addLocations(templateId: number, locations: LocationInput[]): Promise<LocationRow[]> {
    return this.changeReachingPasses(templateId, (client) => insertLocations(client, { templateId }, locations));
  }

  async deleteLocation(templateId: number, locationId: number, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query("SELECT 1 FROM locations WHERE id = $1 AND template_id = $2", [
      locationId,
      templateId,
    ]);
    if (!rowCount) return false;
    await this.changeReachingPasses(templateId, async (client) => {
      await client.query("DELETE FROM locations WHERE id = $1", [locationId]);
    });
    return true;
  }

  async delete(accountId: number, key: Key): Promise<number | null> {
    return inTransaction(this.pool, async (client) => {
      const [where, value] = whereOf(key);
      const { rows } = await client.query<{ id: number }>(`SELECT t.id FROM templates t WHERE ${where}`, [
        accountId,
        value,
      ]);
      const template = rows[0];
      if (!template) return null;
      await allowLongStatements(client);
      // Its passes first, in id order and in the mode their deletion needs (docs/concurrency.md): a pass being
      // installed meanwhile (which counts into the template's counters) is waited for instead of deadlocked with.
      await client.query(
        "SELECT count(*) FROM (SELECT id FROM passes WHERE template_id = $1 ORDER BY id FOR UPDATE) locked",
        [template.id],
      );
      // The template's passes go with it: their histories end with "deleted".
      await recordPassEvents(client, { templateId: template.id }, "deleted");
      await client.query("DELETE FROM templates WHERE id = $1", [template.id]);
      return template.id;
    });
  }

  async duplicate(template: TemplateRow): Promise<number> {
    // A template's copy keeps its name (only a project's copy is "Copy of …").
    return inTransaction(this.pool, (client) => copyTemplate(client, template.id, template.projectId, template.name));
  }
}

/** Copies a template (named `name`, without external id) with its locations into a project; returns the copy's id. */
export async function copyTemplate(
  db: Queryable,
  templateId: number,
  projectId: number,
  name: string,
): Promise<number> {
  const { rows } = await db.query<{ id: number }>(
    `INSERT INTO templates (account_id, project_id, name, description, vendor, type, design, disabled)
     SELECT account_id, $2, $3, description, vendor, type, design, disabled FROM templates WHERE id = $1
     RETURNING id`,
    [templateId, projectId, name],
  );
  const copyId = rows[0]!.id;
  await db.query(
    `INSERT INTO locations (template_id, latitude, longitude, altitude, relevant_text, street_address1,
       street_address2, city, region, region_code, country)
     SELECT $2, latitude, longitude, altitude, relevant_text, street_address1, street_address2, city, region,
            region_code, country
       FROM locations WHERE template_id = $1 ORDER BY id`,
    [templateId, copyId],
  );
  await enqueueTemplateSync(db, copyId);
  return copyId;
}
