// Storage of templates, their locations, and the template-wide changes that reach every pass.

import type pg from "pg";
import type { Clock } from "../../clock.js";
import { isUniqueViolation } from "../../db/driver-errors.js";
import type { Queryable } from "../../db/queryable.js";
import { queryableOf } from "../../db/queryable.js";
import { allowLongStatements, inPrismaTransaction } from "../../db/transaction.js";
import type { TemplateDesign } from "../../domain/field-model.js";
import type { LocationInput } from "../../domain/values.js";
import { AppError } from "../../errors.js";
import { recordPassEvents } from "../../events/pass-event-store.js";
import type { Prisma, PrismaClient } from "../../generated/prisma/client.js";
import { enqueueTemplateSync } from "../../jobs/queue-store.js";
import type { Key } from "../ids.js";
import type { Page } from "../pagination.js";
import { ensureDefaultProject } from "../projects/default-project-store.js";

export type TemplateOrder = "id" | "name" | "createdAt" | "updatedAt";

const withProject = { project: { select: { id: true, name: true, projectType: true } } } as const;
export type TemplateRow = Prisma.TemplateGetPayload<{ include: typeof withProject }>;
export type Tx = Prisma.TransactionClient;

export interface TemplateFields {
  name: string;
  description: string;
  vendor: string;
  type: string;
  design: TemplateDesign;
}

const whereOf = (accountId: number, key: Key): Prisma.TemplateWhereInput =>
  "id" in key ? { accountId, id: key.id } : { accountId, externalId: key.externalId };

/** What pass operations need of a template, read in one statement. */
export interface PassTemplate {
  id: number;
  vendor: string;
  design: unknown;
  /** Its project's settings (their barcode defaults apply to the template's passes). */
  projectSettings: unknown;
  locations: LocationRow[];
}
export type LocationRow = Prisma.LocationGetPayload<object>;

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
    private readonly prisma: PrismaClient,
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

  find(accountId: number, key: Key, db: Prisma.TransactionClient = this.prisma): Promise<TemplateRow | null> {
    return db.template.findFirst({ where: whereOf(accountId, key), include: withProject });
  }

  async list(accountId: number, page: Page<TemplateOrder>, db: Prisma.TransactionClient = this.prisma) {
    const direction = page.direction === "ASC" ? "asc" : "desc";
    const orderBy: Prisma.TemplateOrderByWithRelationInput[] = [{ [page.order]: direction }];
    if (page.order !== "id") orderBy.push({ id: direction });
    const [count, rows] = await Promise.all([
      db.template.count({ where: { accountId } }),
      db.template.findMany({
        where: { accountId },
        include: withProject,
        orderBy,
        skip: page.start,
        take: page.pageSize,
      }),
    ]);
    return { count, rows };
  }

  locations(templateId: number, db: Prisma.TransactionClient = this.prisma) {
    return db.location.findMany({ where: { templateId }, orderBy: { id: "asc" } });
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
      return await inPrismaTransaction(this.prisma, async (tx) => {
        const projectId = project === "default" ? await ensureDefaultProject(queryableOf(tx), accountId) : project;
        const template = await tx.template.create({
          data: { accountId, projectId, externalId: externalId ?? null, ...fields, design: fields.design as never },
        });
        if (locations.length)
          await tx.location.createMany({ data: locations.map((l) => ({ ...l, templateId: template.id })) });
        await enqueueTemplateSync(queryableOf(tx), template.id);
        return template.id;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new AppError("TEMPLATE_EXISTS", `A template with external id "${externalId}" already exists`);
      throw error;
    }
  }

  /** Runs `change` in a transaction, then marks every pass of the template changed (new version + event). */
  async changeReachingPasses<T>(templateId: number, change: (tx: Tx) => Promise<T>): Promise<T> {
    return inPrismaTransaction(
      this.prisma,
      async (tx) => {
        await allowLongStatements({ query: (text) => tx.$executeRawUnsafe(text) });
        const result = await change(tx);
        await tx.template.update({ where: { id: templateId }, data: { updatedAt: new Date(this.clock.now()) } });
        // Passes are locked in id order, as every change of several passes locks them (docs/concurrency.md).
        await tx.$executeRaw`UPDATE passes SET version = version + 1, updated_at = now()
          WHERE id IN (SELECT id FROM passes WHERE template_id = ${templateId} ORDER BY id FOR NO KEY UPDATE)`;
        await recordPassEvents(queryableOf(tx), { templateId }, "updated");
        await enqueueTemplateSync(queryableOf(tx), templateId);
        return result;
      },
      { timeout: 120_000 },
    );
  }

  replace(templateId: number, fields: TemplateFields, locations: LocationInput[] | undefined) {
    return this.changeReachingPasses(templateId, async (tx) => {
      await tx.template.update({ where: { id: templateId }, data: { ...fields, design: fields.design as never } });
      if (locations !== undefined) {
        await tx.location.deleteMany({ where: { templateId } });
        if (locations.length) await tx.location.createMany({ data: locations.map((l) => ({ ...l, templateId })) });
      }
    });
  }

  setDesign(templateId: number, design: TemplateDesign) {
    return this.changeReachingPasses(templateId, (tx) =>
      tx.template.update({ where: { id: templateId }, data: { design: design as never } }),
    );
  }

  addLocations(templateId: number, locations: LocationInput[]) {
    return this.changeReachingPasses(templateId, async (tx) => {
      const created = [];
      for (const location of locations) created.push(await tx.location.create({ data: { ...location, templateId } }));
      return created;
    });
  }

  async deleteLocation(
    templateId: number,
    locationId: number,
    db: Prisma.TransactionClient = this.prisma,
  ): Promise<boolean> {
    const exists = await db.location.count({ where: { id: locationId, templateId } });
    if (!exists) return false;
    await this.changeReachingPasses(templateId, (tx) => tx.location.delete({ where: { id: locationId } }));
    return true;
  }

  async delete(accountId: number, key: Key): Promise<number | null> {
    return inPrismaTransaction(this.prisma, async (tx) => {
      const template = await tx.template.findFirst({ where: whereOf(accountId, key), select: { id: true } });
      if (!template) return null;
      await allowLongStatements({ query: (text) => tx.$executeRawUnsafe(text) });
      // Its passes first, in id order and in the mode their deletion needs (docs/concurrency.md): a pass being
      // installed meanwhile (which counts into the template's counters) is waited for instead of deadlocked with.
      await tx.$queryRaw`SELECT count(*) FROM (SELECT id FROM passes WHERE template_id = ${template.id} ORDER BY id FOR UPDATE) locked`;
      // The template's passes go with it: their histories end with "deleted".
      await recordPassEvents(queryableOf(tx), { templateId: template.id }, "deleted");
      await tx.template.delete({ where: { id: template.id } });
      return template.id;
    });
  }

  async duplicate(template: TemplateRow): Promise<number> {
    // A template's copy keeps its name (only a project's copy is "Copy of …").
    return inPrismaTransaction(this.prisma, (tx) => copyTemplate(tx, template, template.projectId, template.name));
  }
}

/** Copies a template (named `name`, without external id) with its locations into a project; returns the copy's id. */
export async function copyTemplate(
  tx: Tx,
  template: Pick<TemplateRow, "id" | "accountId" | "name" | "description" | "vendor" | "type" | "design" | "disabled">,
  projectId: number,
  name: string,
): Promise<number> {
  const copy = await tx.template.create({
    data: {
      accountId: template.accountId,
      projectId,
      name,
      description: template.description,
      vendor: template.vendor,
      type: template.type,
      design: template.design as never,
      disabled: template.disabled,
    },
  });
  const locations = await tx.location.findMany({ where: { templateId: template.id } });
  if (locations.length) {
    await tx.location.createMany({
      data: locations.map(({ id: _id, passId: _p, createdAt: _c, ...l }) => ({ ...l, templateId: copy.id })),
    });
  }
  await enqueueTemplateSync(queryableOf(tx), copy.id);
  return copy.id;
}
