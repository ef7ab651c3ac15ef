// Storage of projects (and, for project responses and duplication, their template headers).
// The hot paths — read one, list, create — are single prepared SQL statements on the pool: one round trip and
// no per-request planning, which is what lets an authenticated GET reach its throughput goal. Writes that touch
// several tables run in one transaction.

import type pg from "pg";
import type { Clock } from "../../clock.js";
import { isUniqueViolation } from "../../db/driver-errors.js";
import type { Queryable } from "../../db/queryable.js";
import { allowLongStatements, inTransaction } from "../../db/transaction.js";
import type { TemplateHeaderSource } from "../../domain/template-header.js";
import { AppError } from "../../errors.js";
import { recordPassEvents } from "../../events/pass-event-store.js";
import type { Key } from "../ids.js";
import type { Page } from "../pagination.js";
import { copyTemplate } from "../templates/repository.js";
import { newContextId } from "./default-project-store.js";
import type { PROJECT_ORDERS } from "./types.js";

export type ProjectOrder = (typeof PROJECT_ORDERS)[number];

export type ProjectKey = Key;

export interface ProjectData {
  name: string;
  projectType: string;
  description: string;
  settings: Record<string, unknown>;
}

export type TemplateHeaderRow = TemplateHeaderSource;

export interface ProjectRecord {
  id: number;
  externalId: string | null;
  contextId: string;
  name: string;
  description: string;
  projectType: string;
  settings: Record<string, unknown>;
  /** The project's own Apple certificate, if it has imported one (else passes use the server's default). */
  appleCertificateId: string | null;
  createdAt: Date;
  updatedAt: Date;
  templates: TemplateHeaderRow[];
}

// Projects with their template headers as a JSON array, in one statement.
const PROJECT_COLUMNS = `p.id, p.external_id, p.context_id, p.name, p.description, p.project_type, p.settings,
  p.created_at, p.updated_at,
  (SELECT a.certificate_id FROM apple_identities a WHERE a.project_id = p.id) AS apple_certificate_id,
  (SELECT COALESCE(json_agg(json_build_object(
      'id', t.id, 'externalId', t.external_id, 'name', t.name, 'description', t.description, 'vendor', t.vendor,
      'type', t.type, 'disabled', t.disabled, 'expiryDuration', t.design->'expiryDuration',
      'createdAt', t.created_at, 'updatedAt', t.updated_at) ORDER BY t.id), '[]'::json)
   FROM templates t WHERE t.project_id = p.id) AS templates`;

const ORDER_COLUMNS: Record<ProjectOrder, string> = {
  id: "p.id",
  name: "p.name",
  createdAt: "p.created_at",
  updatedAt: "p.updated_at",
};

interface ProjectSqlRow {
  id: number;
  external_id: string | null;
  context_id: string;
  name: string;
  description: string;
  project_type: string;
  settings: Record<string, unknown>;
  apple_certificate_id?: string | null;
  created_at: Date;
  updated_at: Date;
  templates?: (Omit<TemplateHeaderRow, "createdAt" | "updatedAt"> & { createdAt: string; updatedAt: string })[];
}

function recordOf(row: ProjectSqlRow): ProjectRecord {
  return {
    id: row.id,
    externalId: row.external_id,
    contextId: row.context_id,
    name: row.name,
    description: row.description,
    projectType: row.project_type,
    settings: row.settings ?? {},
    appleCertificateId: row.apple_certificate_id ?? null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    templates: (row.templates ?? []).map((t) => ({
      ...t,
      expiryDuration: typeof t.expiryDuration === "number" ? t.expiryDuration : null,
      createdAt: new Date(t.createdAt),
      updatedAt: new Date(t.updatedAt),
    })),
  };
}

/** The SQL condition (on $1 = account, $2 = the key's value) naming a project by id or external id. */
const whereOf = (key: ProjectKey): [string, number | string] =>
  "id" in key ? ["account_id = $1 AND id = $2", key.id] : ["account_id = $1 AND external_id = $2", key.externalId];

/** The columns an update may set, by field name. */
const CHANGEABLE: Record<keyof ProjectData, string> = {
  name: "name",
  projectType: "project_type",
  description: "description",
  settings: "settings",
};

export class ProjectRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {}

  async list(
    accountId: number,
    page: Page<ProjectOrder>,
    db: Queryable = this.pool,
  ): Promise<{ count: number; rows: ProjectRecord[] }> {
    const direction = page.direction === "ASC" ? "ASC" : "DESC";
    const order = ORDER_COLUMNS[page.order];
    const tieBreak = page.order === "id" ? "" : `, p.id ${direction}`;
    const [count, rows] = await Promise.all([
      db.query<{ n: number }>({
        name: "projects-count",
        text: "SELECT count(*)::int AS n FROM projects WHERE account_id = $1",
        values: [accountId],
      }),
      db.query<ProjectSqlRow>({
        name: `projects-list-${page.order}-${direction}`,
        text: `SELECT ${PROJECT_COLUMNS} FROM projects p WHERE p.account_id = $1
               ORDER BY ${order} ${direction}${tieBreak} LIMIT $2 OFFSET $3`,
        values: [accountId, page.pageSize, page.start],
      }),
    ]);
    return { count: count.rows[0]?.n ?? 0, rows: rows.rows.map(recordOf) };
  }

  /** The internal id of the account's project, or null: the cheap check for nested resources. */
  /** Whether a project with this id exists (in any account: for operators' commands). */
  async exists(projectId: number, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query("SELECT 1 FROM projects WHERE id = $1", [projectId]);
    return (rowCount ?? 0) > 0;
  }

  /** The account a project belongs to (undefined: no such project). */
  async accountOf(projectId: number, db: Queryable = this.pool): Promise<number | undefined> {
    const { rows } = await db.query<{ accountId: number }>(
      'SELECT account_id AS "accountId" FROM projects WHERE id = $1',
      [projectId],
    );
    return rows[0]?.accountId;
  }

  async findId(accountId: number, key: ProjectKey, db: Queryable = this.pool): Promise<number | null> {
    const { rows } =
      "id" in key
        ? await db.query<{ id: number }>({
            name: "project-id-by-id",
            text: "SELECT id FROM projects WHERE account_id = $1 AND id = $2",
            values: [accountId, key.id],
          })
        : await db.query<{ id: number }>({
            name: "project-id-by-external-id",
            text: "SELECT id FROM projects WHERE account_id = $1 AND external_id = $2",
            values: [accountId, key.externalId],
          });
    return rows[0]?.id ?? null;
  }

  async find(accountId: number, key: ProjectKey, db: Queryable = this.pool): Promise<ProjectRecord | null> {
    const { rows } =
      "id" in key
        ? await db.query<ProjectSqlRow>({
            name: "project-by-id",
            text: `SELECT ${PROJECT_COLUMNS} FROM projects p WHERE p.account_id = $1 AND p.id = $2`,
            values: [accountId, key.id],
          })
        : await db.query<ProjectSqlRow>({
            name: "project-by-external-id",
            text: `SELECT ${PROJECT_COLUMNS} FROM projects p WHERE p.account_id = $1 AND p.external_id = $2`,
            values: [accountId, key.externalId],
          });
    return rows[0] ? recordOf(rows[0]) : null;
  }

  async create(
    accountId: number,
    data: ProjectData,
    externalId?: string,
    db: Queryable = this.pool,
  ): Promise<ProjectRecord> {
    try {
      const { rows } = await db.query<ProjectSqlRow>({
        name: "project-insert",
        text: `INSERT INTO projects (account_id, external_id, context_id, name, description, project_type, settings)
               VALUES ($1, $2, $3, $4, $5, $6, $7)
               RETURNING id, external_id, context_id, name, description, project_type, settings, created_at, updated_at`,
        values: [
          accountId,
          externalId ?? null,
          newContextId(),
          data.name,
          data.description,
          data.projectType,
          JSON.stringify(data.settings),
        ],
      });
      return recordOf(rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AppError("PROJECT_EXISTS", `A project with external id "${externalId}" already exists`);
      }
      throw error;
    }
  }

  /** Applies `changes` to the project; null when the account has no such project. */
  async update(
    accountId: number,
    key: ProjectKey,
    changes: Partial<ProjectData>,
    db: Queryable = this.pool,
  ): Promise<ProjectRecord | null> {
    const [where, value] = whereOf(key);
    const named = (Object.keys(CHANGEABLE) as (keyof ProjectData)[]).filter((k) => changes[k] !== undefined);
    const sets = named.map((k, i) => `${CHANGEABLE[k]} = $${i + 4}`);
    const { rowCount } = await db.query(
      `UPDATE projects SET ${[...sets, "updated_at = $3"].join(", ")} WHERE ${where}`,
      [
        accountId,
        value,
        new Date(this.clock.now()),
        ...named.map((k) => (k === "settings" ? JSON.stringify(changes.settings) : changes[k])),
      ],
    );
    return rowCount === 0 ? null : this.find(accountId, key, db);
  }

  /** Deletes the project and, by cascade, everything in it; null when there is no such project. */
  async delete(accountId: number, key: ProjectKey): Promise<{ id: number; externalId: string | null } | null> {
    return inTransaction(this.pool, async (client) => {
      const [where, value] = whereOf(key);
      const { rows } = await client.query<{ id: number; externalId: string | null }>(
        `SELECT id, external_id AS "externalId" FROM projects WHERE ${where}`,
        [accountId, value],
      );
      const project = rows[0];
      if (!project) return null;
      await allowLongStatements(client);
      // Its passes first, in id order and in the mode their deletion needs (docs/concurrency.md).
      await client.query(
        `SELECT count(*) FROM (SELECT p.id FROM passes p JOIN templates t ON t.id = p.template_id
                                WHERE t.project_id = $1 ORDER BY p.id FOR UPDATE OF p) locked`,
        [project.id],
      );
      // Its templates' passes go with it: their histories end with "deleted".
      const templates = await client.query<{ id: number }>(
        "SELECT id FROM templates WHERE project_id = $1 ORDER BY id",
        [project.id],
      );
      for (const { id } of templates.rows) await recordPassEvents(client, { templateId: id }, "deleted");
      await client.query("DELETE FROM projects WHERE id = $1", [project.id]);
      return project;
    });
  }

  /** Copies the project and its templates as "Copy of …"; null when there is no such project. */
  async duplicate(accountId: number, key: ProjectKey): Promise<ProjectRecord | null> {
    let copyId: number | null;
    try {
      copyId = await this.duplicateInTransaction(accountId, key);
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError("CONCURRENT_CHANGE", "The project was duplicated concurrently; try again");
      throw error;
    }
    return copyId === null ? null : this.find(accountId, { id: copyId });
  }

  private duplicateInTransaction(accountId: number, key: ProjectKey): Promise<number | null> {
    return inTransaction(this.pool, async (client) => {
      const [where, value] = whereOf(key);
      const { rows } = await client.query<{ id: number; externalId: string | null; name: string }>(
        `SELECT id, external_id AS "externalId", name FROM projects WHERE ${where}`,
        [accountId, value],
      );
      const source = rows[0];
      if (!source) return null;
      const externalId =
        source.externalId === null ? null : await freeCopyExternalId(client, accountId, source.externalId);
      const copy = await client.query<{ id: number }>(
        `INSERT INTO projects (account_id, external_id, context_id, name, project_type, description, settings)
         SELECT account_id, $2, $3, $4, project_type, description, settings FROM projects WHERE id = $1
         RETURNING id`,
        [source.id, externalId, newContextId(), `Copy of ${source.name}`],
      );
      const copyId = copy.rows[0]!.id;
      // The copy signs with the same Apple certificate (so it answers the same appleCertificateId).
      await client.query(
        `INSERT INTO apple_identities (project_id, kind, pass_type_identifier, team_identifier,
           organization_name, certificate_pem, chain_pem, private_key_encrypted, certificate_id, not_after)
         SELECT $1, kind, pass_type_identifier, team_identifier, organization_name, certificate_pem, chain_pem,
                private_key_encrypted, certificate_id, not_after
           FROM apple_identities WHERE project_id = $2`,
        [copyId, source.id],
      );
      // Templates come along with their locations, in their original order.
      const templates = await client.query<{ id: number; name: string }>(
        "SELECT id, name FROM templates WHERE project_id = $1 ORDER BY id",
        [source.id],
      );
      for (const template of templates.rows) {
        await copyTemplate(client, template.id, copyId, `Copy of ${template.name}`);
      }
      return copyId;
    });
  }
}

/** "Copy_of_<id>", or "Copy_of_<id>_2", "_3", … when taken: duplicating twice must not fail. */
async function freeCopyExternalId(db: Queryable, accountId: number, externalId: string) {
  const base = `Copy_of_${externalId}`.slice(0, 240);
  const { rows } = await db.query<{ externalId: string }>(
    `SELECT external_id AS "externalId" FROM projects WHERE account_id = $1 AND starts_with(external_id, $2)`,
    [accountId, base],
  );
  const taken = new Set(rows.map((p) => p.externalId));
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
