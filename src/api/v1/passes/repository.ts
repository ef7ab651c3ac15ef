// Storage of passes with their tags and locations. Every change to a pass's content bumps its version and
// records a "pass changed" event in the same transaction; each update is recorded as a ticket.
import { randomBytes, randomUUID } from "node:crypto";
import { isUniqueViolation } from "../../../db/errors.js";
import { queryableOf } from "../../../db/queryable.js";
import type { PassOverrides } from "../../../domain/field-model.js";
import type { Beacon, LocationInput } from "../../../domain/values.js";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client.js";
import { conflict } from "../../../http/errors.js";
import type { Page } from "../../../http/pagination.js";
import { addPassChangedEvents } from "../../../jobs/queue.js";

export const PASS_STATUSES = ["installed", "uninstalled", "been_installed", "not_been_installed"] as const;
export type PassStatusFilter = (typeof PASS_STATUSES)[number];
export type PassOrder = "id" | "createdAt" | "updatedAt";

const withDetail = {
  tags: { include: { tag: { select: { name: true } } } },
  locations: { orderBy: { id: "asc" } },
} satisfies Prisma.PassInclude;
export type PassRow = Prisma.PassGetPayload<{ include: typeof withDetail }>;
export type PassSummary = Prisma.PassGetPayload<object>;

export interface PassFilter {
  templateId?: number;
  status?: PassStatusFilter;
  tag?: string;
}

export interface PassChanges {
  overrides?: PassOverrides;
  beacons?: Beacon[];
  locations?: LocationInput[];
  tags?: string[];
}

function statusWhere(status: PassStatusFilter | undefined): Prisma.PassWhereInput {
  switch (status) {
    case undefined:
      return {};
    case "been_installed":
      return { status: { in: ["installed", "uninstalled"] } };
    default:
      return { status };
  }
}

async function setTags(tx: Prisma.TransactionClient, accountId: number, passId: number, names: string[]) {
  await tx.passTag.deleteMany({ where: { passId } });
  if (names.length === 0) return;
  await tx.tag.createMany({ data: names.map((name) => ({ accountId, name })), skipDuplicates: true });
  const tags = await tx.tag.findMany({ where: { accountId, name: { in: names } }, select: { id: true } });
  await tx.passTag.createMany({ data: tags.map((t) => ({ passId, tagId: t.id })), skipDuplicates: true });
}

export class PassRepository {
  constructor(private readonly prisma: PrismaClient) {}

  findById(accountId: number, id: number): Promise<PassRow | null> {
    return this.prisma.pass.findFirst({ where: { accountId, id }, include: withDetail });
  }

  /** Every pass of the account with this external id (one per template at most), optionally in one template. */
  findByExternalId(accountId: number, externalId: string, templateIds?: number[]): Promise<PassRow[]> {
    return this.prisma.pass.findMany({
      where: { accountId, externalId, ...(templateIds ? { templateId: { in: templateIds } } : {}) },
      include: withDetail,
      orderBy: { id: "asc" },
    });
  }

  async list(accountId: number, filter: PassFilter, page: Page<PassOrder>) {
    const where: Prisma.PassWhereInput = {
      accountId,
      ...(filter.templateId === undefined ? {} : { templateId: filter.templateId }),
      ...statusWhere(filter.status),
      ...(filter.tag === undefined ? {} : { tags: { some: { tag: { accountId, name: filter.tag } } } }),
    };
    const direction = page.direction === "ASC" ? "asc" : "desc";
    const orderBy: Prisma.PassOrderByWithRelationInput[] = [{ [page.order]: direction }];
    if (page.order !== "id") orderBy.push({ id: direction });
    const [count, rows] = await Promise.all([
      this.prisma.pass.count({ where }),
      this.prisma.pass.findMany({ where, orderBy, skip: page.start, take: page.pageSize }),
    ]);
    return { count, rows };
  }

  async create(
    accountId: number,
    templateId: number,
    data: PassChanges & { externalId?: string; publicUrlType?: "single" | "multiple" },
  ): Promise<PassRow> {
    try {
      return await this.prisma.$transaction(async (tx) => {
        const pass = await tx.pass.create({
          data: {
            accountId,
            templateId,
            externalId: data.externalId ?? null,
            serialNumber: randomUUID(),
            overrides: (data.overrides ?? {}) as never,
            beacons: data.beacons === undefined ? undefined : (data.beacons as never),
            publicUrlType: data.publicUrlType ?? null,
            publicUrlToken: data.publicUrlType ? randomBytes(16).toString("base64url") : null,
          },
        });
        if (data.locations?.length) {
          await tx.location.createMany({ data: data.locations.map((l) => ({ ...l, passId: pass.id })) });
        }
        if (data.tags?.length) await setTags(tx, accountId, pass.id, data.tags);
        return tx.pass.findUniqueOrThrow({ where: { id: pass.id }, include: withDetail });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict(`A pass with external id "${data.externalId}" already exists for this template`);
      }
      throw error;
    }
  }

  /** Applies changes to one pass, bumps its version, records the event and a finished ticket; returns the ticket id. */
  async update(accountId: number, passId: number, changes: PassChanges): Promise<number> {
    return this.prisma.$transaction(async (tx) => {
      await tx.pass.update({
        where: { id: passId },
        data: {
          ...(changes.overrides === undefined ? {} : { overrides: changes.overrides as never }),
          ...(changes.beacons === undefined ? {} : { beacons: changes.beacons as never }),
          version: { increment: 1 },
          updatedAt: new Date(),
        },
      });
      if (changes.locations !== undefined) {
        await tx.location.deleteMany({ where: { passId } });
        if (changes.locations.length) {
          await tx.location.createMany({ data: changes.locations.map((l) => ({ ...l, passId })) });
        }
      }
      if (changes.tags !== undefined) await setTags(tx, accountId, passId, changes.tags);
      await addPassChangedEvents(queryableOf(tx), [passId]);
      const ticket = await tx.ticket.create({
        data: { accountId, kind: "pass-update", status: "done", passId, total: 1, done: 1, finishedAt: new Date() },
      });
      return ticket.id;
    });
  }

  async delete(accountId: number, id: number): Promise<boolean> {
    const { count } = await this.prisma.pass.deleteMany({ where: { accountId, id } });
    return count > 0;
  }

  /** Adds locations to a pass (and marks it changed); returns the created rows. */
  async addLocations(passId: number, locations: LocationInput[]) {
    return this.prisma.$transaction(async (tx) => {
      const created = [];
      for (const location of locations) created.push(await tx.location.create({ data: { ...location, passId } }));
      await tx.pass.update({ where: { id: passId }, data: { version: { increment: 1 }, updatedAt: new Date() } });
      await addPassChangedEvents(queryableOf(tx), [passId]);
      return created;
    });
  }

  async deleteLocation(passId: number, locationId: number): Promise<boolean> {
    return this.prisma.$transaction(async (tx) => {
      const { count } = await tx.location.deleteMany({ where: { id: locationId, passId } });
      if (count === 0) return false;
      await tx.pass.update({ where: { id: passId }, data: { version: { increment: 1 }, updatedAt: new Date() } });
      await addPassChangedEvents(queryableOf(tx), [passId]);
      return true;
    });
  }

  countLocations(passId: number): Promise<number> {
    return this.prisma.location.count({ where: { passId } });
  }

  // Tags ------------------------------------------------------------------------------------------------------

  async listTags(accountId: number) {
    return this.prisma.tag.findMany({
      where: { accountId },
      orderBy: { id: "asc" },
      include: { _count: { select: { passes: true } } },
    });
  }

  async addTag(accountId: number, passId: number, name: string): Promise<void> {
    await this.prisma.$transaction(async (tx) => {
      const tag = await tx.tag.upsert({
        where: { accountId_name: { accountId, name } },
        create: { accountId, name },
        update: {},
      });
      await tx.passTag.createMany({ data: [{ passId, tagId: tag.id }], skipDuplicates: true });
    });
  }

  async setTags(accountId: number, passId: number, names: string[]): Promise<void> {
    await this.prisma.$transaction((tx) => setTags(tx, accountId, passId, names));
  }

  async removeTag(accountId: number, passId: number, name: string): Promise<boolean> {
    const { count } = await this.prisma.passTag.deleteMany({ where: { passId, tag: { accountId, name } } });
    return count > 0;
  }

  async deleteTag(accountId: number, name: string): Promise<boolean> {
    const { count } = await this.prisma.tag.deleteMany({ where: { accountId, name } });
    return count > 0;
  }
}
