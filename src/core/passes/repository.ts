// Storage of passes with their tags and locations. Every change to a pass's content bumps its version and
// records a "pass changed" event in the same transaction; each update is recorded as a ticket.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type pg from "pg";
import { isUniqueViolation } from "../../db/driver-errors.js";
import type { Queryable } from "../../db/queryable.js";
import { inTransaction } from "../../db/transaction.js";
import type { PassOverrides } from "../../domain/field-model.js";
import type { Beacon, LocationInput } from "../../domain/values.js";
import { AppError, notFound } from "../../errors.js";
import { type PassEventKind, recordPassEvents } from "../../events/pass-event-store.js";
import { insertLocations, type LocationRow } from "../location-store.js";
import type { Page } from "../pagination.js";

export const PASS_STATUSES = ["installed", "uninstalled", "been_installed", "not_been_installed"] as const;
export type PassStatusFilter = (typeof PASS_STATUSES)[number];
export type PassOrder = "id" | "createdAt" | "updatedAt";

/** A pass as stored. */
export interface StoredPass {
  id: number;
  accountId: number;
  templateId: number;
  externalId: string | null;
  serialNumber: string;
  overrides: unknown;
  beacons: unknown;
  version: number;
  status: string;
  platform: string | null;
  installedAt: Date | null;
  uninstalledAt: Date | null;
  publicUrlType: string | null;
  publicUrlToken: string | null;
  publicUrlUsed: boolean;
  installs: number;
  images: unknown;
  authenticationToken: string;
  personalization: unknown;
  googleMessages: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/** A pass with its tags and its own locations. */
export type PassRow = StoredPass & { tags: { tag: { name: string } }[]; locations: LocationRow[] };
export type PassSummary = Pick<
  StoredPass,
  | "id"
  | "templateId"
  | "externalId"
  | "serialNumber"
  | "status"
  | "platform"
  | "installedAt"
  | "uninstalledAt"
  | "createdAt"
  | "updatedAt"
>;

const SUMMARY_COLUMNS = `p.id, p.template_id AS "templateId", p.external_id AS "externalId", p.serial_number AS "serialNumber",
  p.status, p.platform, p.installed_at AS "installedAt", p.uninstalled_at AS "uninstalledAt",
  p.created_at AS "createdAt", p.updated_at AS "updatedAt"`;

const PASS_COLUMNS = `id, account_id AS "accountId", template_id AS "templateId", external_id AS "externalId",
  serial_number AS "serialNumber", overrides, beacons, version, status, platform, installed_at AS "installedAt",
  uninstalled_at AS "uninstalledAt", public_url_type AS "publicUrlType", public_url_token AS "publicUrlToken",
  public_url_used AS "publicUrlUsed", installs, images, authentication_token AS "authenticationToken",
  personalization, google_messages AS "googleMessages", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A pass with its tags ({tag: {name}}) and its own locations, as one row. */
const DETAIL_SQL = `SELECT ${PASS_COLUMNS},
  COALESCE((SELECT json_agg(json_build_object('tag', json_build_object('name', t.name)) ORDER BY pt.tag_id)
              FROM pass_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.pass_id = p.id), '[]'::json) AS tags,
  COALESCE((SELECT json_agg(json_build_object('id', l.id, 'templateId', l.template_id, 'passId', l.pass_id,
              'latitude', l.latitude, 'longitude', l.longitude, 'altitude', l.altitude, 'relevantText', l.relevant_text,
              'streetAddress1', l.street_address1, 'streetAddress2', l.street_address2, 'city', l.city,
              'region', l.region, 'regionCode', l.region_code, 'country', l.country, 'createdAt', l.created_at)
              ORDER BY l.id) FROM locations l WHERE l.pass_id = p.id), '[]'::json) AS locations
  FROM passes p`;

/** JSON-built locations carry their dates as text. */
function withDates(row: PassRow): PassRow {
  return { ...row, locations: row.locations.map((l) => ({ ...l, createdAt: new Date(l.createdAt) })) };
}

const ORDER_COLUMNS: Record<PassOrder, string> = { id: "p.id", createdAt: "p.created_at", updatedAt: "p.updated_at" };

/** A named (prepared once per connection) statement; the name follows the text, which has few variants. */
function prepared(text: string, values: unknown[]): pg.QueryConfig {
  return { name: `q-${createHash("sha1").update(text).digest("hex").slice(0, 16)}`, text, values };
}

function statusesOf(status: PassStatusFilter | undefined): string[] | undefined {
  if (status === undefined) return undefined;
  return status === "been_installed" ? ["installed", "uninstalled"] : [status];
}

export interface PassFilter {
  templateId?: number;
  status?: PassStatusFilter;
  tag?: string;
  /** Passes made from this adaptive link. */
  adaptiveLinkId?: string;
}

/** An update of one pass, given the pass as it is under its lock: its changes and further events to record. */
export type PassUpdate = (current: PassRow) => { changes: PassChanges; also: PassEventKind[] };

export interface PassChanges {
  overrides?: PassOverrides;
  beacons?: Beacon[];
  locations?: LocationInput[];
  tags?: string[];
  /** Image header → stored image sha256 (the whole set, when it changes). */
  images?: Record<string, string>;
  /** The messages on the Google object (the whole list, when it changes). */
  googleMessages?: object[];
}

/**
 * Gives the pass these tags (creating the account's tags that do not exist yet): exactly these, or with
 * `replace = false` these besides its others.
 */
export async function setTags(db: Queryable, accountId: number, passId: number, names: string[], replace = true) {
  if (replace) await db.query("DELETE FROM pass_tags WHERE pass_id = $1", [passId]);
  if (names.length === 0) return;
  await db.query(
    "INSERT INTO tags (account_id, name) SELECT $1, unnest($2::text[]) ON CONFLICT (account_id, name) DO NOTHING",
    [accountId, names],
  );
  await db.query(
    `INSERT INTO pass_tags (pass_id, tag_id) SELECT $1, id FROM tags WHERE account_id = $2 AND name = ANY($3::text[])
     ON CONFLICT DO NOTHING`,
    [passId, accountId, names],
  );
}

/**
 * A pass changed by `change` outside `update`: the pass row is locked first (docs/concurrency.md), then `change`
 * runs, then the pass gets a new version and its event.
 */
async function changingPass<T>(pool: pg.Pool, passId: number, change: (db: pg.PoolClient) => Promise<T>) {
  return inTransaction(pool, async (client) => {
    await client.query("SELECT 1 FROM passes WHERE id = $1 FOR NO KEY UPDATE", [passId]);
    const result = await change(client);
    await client.query("UPDATE passes SET version = version + 1, updated_at = now() WHERE id = $1", [passId]);
    await recordPassEvents(client, [passId], "updated");
    return result;
  });
}

export class PassRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** A pass of the account with its tags and locations, in one statement (the hot read of the API). */
  async findById(accountId: number, id: number, db: Queryable = this.pool): Promise<PassRow | null> {
    const { rows } = await db.query<PassRow>({
      name: "pass-with-detail-by-id",
      text: `${DETAIL_SQL} WHERE p.account_id = $1 AND p.id = $2`,
      values: [accountId, id],
    });
    return rows[0] ? withDates(rows[0]) : null;
  }

  /** Every pass of the account with this external id (one per template at most), optionally in one template. */
  async findByExternalId(
    accountId: number,
    externalId: string,
    templateIds?: number[],
    db: Queryable = this.pool,
  ): Promise<PassRow[]> {
    const { rows } = await db.query<PassRow>({
      name: "pass-with-detail-by-external-id",
      text: `${DETAIL_SQL} WHERE p.account_id = $1 AND p.external_id = $2
               AND ($3::int[] IS NULL OR p.template_id = ANY($3::int[])) ORDER BY p.id`,
      values: [accountId, externalId, templateIds ?? null],
    });
    return rows.map(withDates);
  }

  /**
   * A page of pass summaries and the total. Totals come from the trigger-maintained per-template counts (exact,
   * without counting rows); only tag filters count rows.
   */
  async list(
    accountId: number,
    filter: PassFilter,
    page: Page<PassOrder>,
    db: Queryable = this.pool,
  ): Promise<{ count: number; rows: PassSummary[] }> {
    const values: unknown[] = [accountId];
    const where = ["p.account_id = $1"];
    let from = "passes p";
    if (filter.templateId !== undefined) {
      values.push(filter.templateId);
      where.push(`p.template_id = $${values.length}`);
    }
    const statuses = statusesOf(filter.status);
    if (statuses) {
      values.push(statuses.length === 1 ? statuses[0] : statuses);
      where.push(statuses.length === 1 ? `p.status = $${values.length}` : `p.status = ANY($${values.length}::text[])`);
    }
    if (filter.adaptiveLinkId !== undefined) {
      values.push(filter.adaptiveLinkId);
      where.push(`p.adaptive_link_id = $${values.length}`);
    }
    if (filter.tag !== undefined) {
      values.push(filter.tag);
      from += ` JOIN pass_tags pt ON pt.pass_id = p.id JOIN tags tg ON tg.id = pt.tag_id AND tg.account_id = $1 AND tg.name = $${values.length}`;
    }
    const direction = page.direction === "ASC" ? "ASC" : "DESC";
    const order =
      page.order === "id" ? `p.id ${direction}` : `${ORDER_COLUMNS[page.order]} ${direction}, p.id ${direction}`;
    const rowsQuery = db.query<PassSummary>(
      prepared(
        `SELECT ${SUMMARY_COLUMNS} FROM ${from} WHERE ${where.join(" AND ")}
         ORDER BY ${order} LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
        [...values, page.pageSize, page.start],
      ),
    );
    let countQuery: Promise<{ rows: { n: number }[] }>;
    if (filter.tag !== undefined || filter.adaptiveLinkId !== undefined) {
      countQuery = db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${from} WHERE ${where.join(" AND ")}`,
        values,
      );
    } else {
      const countValues: unknown[] = [accountId];
      const countWhere = ["t.account_id = $1"];
      if (filter.templateId !== undefined) {
        countValues.push(filter.templateId);
        countWhere.push(`c.template_id = $${countValues.length}`);
      }
      if (statuses) {
        countValues.push(statuses);
        countWhere.push(`c.status = ANY($${countValues.length}::text[])`);
      }
      countQuery = db.query<{ n: number }>(
        prepared(
          `SELECT COALESCE(sum(c.passes), 0)::int AS n FROM template_pass_counts c JOIN templates t ON t.id = c.template_id
            WHERE ${countWhere.join(" AND ")}`,
          countValues,
        ),
      );
    }
    const [rows, count] = await Promise.all([rowsQuery, countQuery]);
    return { count: count.rows[0]?.n ?? 0, rows: rows.rows };
  }

  /**
   * Inserts a pass (with its locations and tags). One prepared INSERT when there are no locations or tags — the
   * pass-creation hot path — else one transaction.
   */
  async create(
    accountId: number,
    templateId: number,
    data: PassChanges & {
      externalId?: string;
      publicUrlType?: "single" | "multiple";
      /** The adaptive link the pass was made from. */
      adaptiveLinkId?: string;
    },
  ): Promise<PassRow> {
    const values = [
      accountId,
      templateId,
      data.externalId ?? null,
      randomUUID(),
      JSON.stringify(data.overrides ?? {}),
      data.beacons === undefined ? null : JSON.stringify(data.beacons),
      data.publicUrlType ?? null,
      data.publicUrlType ? randomBytes(16).toString("base64url") : null,
      JSON.stringify(data.images ?? {}),
      data.adaptiveLinkId ?? null,
    ];
    const insertSql = `INSERT INTO passes (account_id, template_id, external_id, serial_number, overrides, beacons,
               public_url_type, public_url_token, images, adaptive_link_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${PASS_COLUMNS}`;
    // Creating stays one statement on the hot path: the "created" event (and, announcing, the delivery job) are
    // written by CTEs over the inserted row.
    const logged = `logged AS (INSERT INTO pass_events (pass_id, account_id, template_id, kind, version)
                     SELECT id, "accountId", "templateId", 'created', version FROM inserted)`;
    const insert = {
      name: "pass-insert",
      text: `WITH inserted AS (${insertSql}), ${logged} SELECT * FROM inserted`,
      values,
    };
    const simple = !data.locations?.length && !data.tags?.length;
    const client = simple ? undefined : await this.pool.connect();
    try {
      if (!client) {
        const { rows } = await this.pool.query<PassRow>(insert);
        return { ...rows[0]!, tags: [], locations: [] };
      }
      await client.query("BEGIN");
      const pass = (await client.query<PassRow>(insert)).rows[0]!;
      const locations = data.locations?.length
        ? await insertLocations(client, { passId: pass.id }, data.locations)
        : [];
      if (data.tags?.length) await setTags(client, accountId, pass.id, data.tags, false);
      await client.query("COMMIT");
      return { ...pass, tags: (data.tags ?? []).map((name) => ({ tag: { name } })) as PassRow["tags"], locations };
    } catch (error) {
      await client?.query("ROLLBACK").catch(() => {});
      if (isUniqueViolation(error)) {
        throw new AppError(
          "PASS_EXISTS",
          `A pass with external id "${data.externalId}" already exists for this template`,
        );
      }
      throw error;
    } finally {
      client?.release();
    }
  }

  /**
   * Applies an update to one pass under its row lock: `plan` turns the pass as it is now into the changes and the
   * further events (voided, expired, notified) to record; the pass gets a new version, its "updated" event and a
   * finished ticket. Returns the ticket id.
   */
  async update(accountId: number, passId: number, plan: PassUpdate): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      // The pass row first (docs/concurrency.md), then it is read again as it is under the lock.
      await client.query("SELECT 1 FROM passes WHERE id = $1 FOR NO KEY UPDATE", [passId]);
      const current = await this.findById(accountId, passId, client);
      if (!current) throw notFound("Pass");
      const { changes, also } = plan(current);
      await client.query(
        `UPDATE passes SET overrides = COALESCE($2::jsonb, overrides), beacons = CASE WHEN $3 THEN $4::jsonb ELSE beacons END,
           images = COALESCE($5::jsonb, images), google_messages = COALESCE($6::jsonb, google_messages),
           version = version + 1, updated_at = now()
         WHERE id = $1`,
        [
          passId,
          changes.overrides === undefined ? null : JSON.stringify(changes.overrides),
          changes.beacons !== undefined,
          changes.beacons === undefined ? null : JSON.stringify(changes.beacons),
          changes.images === undefined ? null : JSON.stringify(changes.images),
          changes.googleMessages === undefined ? null : JSON.stringify(changes.googleMessages),
        ],
      );
      if (changes.locations !== undefined) {
        await client.query("DELETE FROM locations WHERE pass_id = $1", [passId]);
        if (changes.locations.length) await insertLocations(client, { passId }, changes.locations);
      }
      if (changes.tags !== undefined) await setTags(client, accountId, passId, changes.tags);
      await recordPassEvents(client, [passId], ["updated", ...also]);
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO tickets (account_id, kind, status, pass_id, total, done, finished_at)
         VALUES ($1, 'pass-update', 'done', $2, 1, 1, now()) RETURNING id`,
        [accountId, passId],
      );
      return rows[0]!.id;
    });
  }

  /**
   * Sends the pass to its devices again without changing its content: a new version (Wallet fetches the pass
   * again) and a forgotten Google body hash (the object is sent again); a finished ticket. Returns its id.
   */
  async resend(accountId: number, passId: number): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      await client.query("UPDATE passes SET version = version + 1, updated_at = now() WHERE id = $1", [passId]);
      await client.query("UPDATE google_objects SET body_hash = NULL WHERE pass_id = $1", [passId]);
      await recordPassEvents(client, [passId], "notified");
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO tickets (account_id, kind, status, pass_id, total, done, finished_at)
         VALUES ($1, 'pass-push', 'done', $2, 1, 1, now()) RETURNING id`,
        [accountId, passId],
      );
      return rows[0]!.id;
    });
  }

  async delete(accountId: number, id: number): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      // The pass row first, in the mode its deletion needs (docs/concurrency.md).
      const { rows } = await client.query<{ id: number }>(
        "SELECT id FROM passes WHERE account_id = $1 AND id = $2 FOR UPDATE",
        [accountId, id],
      );
      if (!rows[0]) return false;
      await recordPassEvents(client, [id], "deleted");
      await client.query("DELETE FROM passes WHERE id = $1", [id]);
      return true;
    });
  }

  /** Adds locations to a pass (and marks it changed); returns the created rows. */
  async addLocations(passId: number, locations: LocationInput[]) {
    return changingPass(this.pool, passId, (client) => insertLocations(client, { passId }, locations));
  }

  /** The wallet of a pass's template, or undefined when there is no such pass. */
  async vendorOf(passId: number, db: Queryable = this.pool): Promise<string | undefined> {
    const { rows } = await db.query<{ vendor: string }>("SELECT vendor FROM pass_facts WHERE id = $1", [passId]);
    return rows[0]?.vendor;
  }

  async deleteLocation(passId: number, locationId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query("SELECT 1 FROM locations WHERE id = $1 AND pass_id = $2", [
      locationId,
      passId,
    ]);
    if (rowCount === 0) return false;
    return changingPass(this.pool, passId, async (client) => {
      await client.query("DELETE FROM locations WHERE id = $1 AND pass_id = $2", [locationId, passId]);
      return true;
    });
  }
}
