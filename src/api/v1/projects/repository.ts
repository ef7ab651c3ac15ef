// Storage of projects (and, for duplication and project responses, their template headers).
import { randomBytes } from "node:crypto";
import { isUniqueViolation } from "../../../db/errors.js";
import type { Prisma, PrismaClient } from "../../../generated/prisma/client.js";
import { conflict } from "../../../http/errors.js";
import type { Page } from "../../../http/pagination.js";
import type { PROJECT_ORDERS } from "./schemas.js";

export type ProjectOrder = (typeof PROJECT_ORDERS)[number];

const withTemplates = {
  templates: { orderBy: { id: "asc" } },
} satisfies Prisma.ProjectInclude;

export type ProjectWithTemplates = Prisma.ProjectGetPayload<{ include: typeof withTemplates }>;

export type ProjectKey = { id: number } | { externalId: string };

export interface ProjectData {
  name: string;
  projectType: string;
  description: string;
  settings: Record<string, unknown>;
}

const newContextId = () => randomBytes(16).toString("base64url");

function whereOf(accountId: number, key: ProjectKey): Prisma.ProjectWhereInput {
  return "id" in key ? { accountId, id: key.id } : { accountId, externalId: key.externalId };
}

export class ProjectRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async list(accountId: number, page: Page<ProjectOrder>): Promise<{ count: number; rows: ProjectWithTemplates[] }> {
    const direction = page.direction === "ASC" ? "asc" : "desc";
    const orderBy: Prisma.ProjectOrderByWithRelationInput[] = [{ [page.order]: direction }];
    if (page.order !== "id") orderBy.push({ id: direction });
    const [count, rows] = await Promise.all([
      this.prisma.project.count({ where: { accountId } }),
      this.prisma.project.findMany({
        where: { accountId },
        include: withTemplates,
        orderBy,
        skip: page.start,
        take: page.pageSize,
      }),
    ]);
    return { count, rows };
  }

  /** The internal id of the account's project, or null: the cheap check for nested resources. */
  async findId(accountId: number, key: ProjectKey): Promise<number | null> {
    const project = await this.prisma.project.findFirst({ where: whereOf(accountId, key), select: { id: true } });
    return project?.id ?? null;
  }

  find(accountId: number, key: ProjectKey): Promise<ProjectWithTemplates | null> {
    return this.prisma.project.findFirst({ where: whereOf(accountId, key), include: withTemplates });
  }

  async create(accountId: number, data: ProjectData, externalId?: string): Promise<ProjectWithTemplates> {
    try {
      return await this.prisma.project.create({
        data: {
          accountId,
          externalId: externalId ?? null,
          contextId: newContextId(),
          name: data.name,
          projectType: data.projectType,
          description: data.description,
          settings: data.settings as Prisma.InputJsonObject,
        },
        include: withTemplates,
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`A project with external id "${externalId}" already exists`);
      throw error;
    }
  }

  /** Applies `changes` to the project; null when the account has no such project. */
  async update(
    accountId: number,
    key: ProjectKey,
    changes: Partial<ProjectData>,
  ): Promise<ProjectWithTemplates | null> {
    const { count } = await this.prisma.project.updateMany({
      where: whereOf(accountId, key),
      data: {
        ...changes,
        settings: changes.settings as Prisma.InputJsonObject | undefined,
        updatedAt: new Date(),
      },
    });
    return count === 0 ? null : this.find(accountId, key);
  }

  /** Deletes the project and, by cascade, everything in it; null when there is no such project. */
  async delete(accountId: number, key: ProjectKey): Promise<{ id: number; externalId: string | null } | null> {
    return this.prisma.$transaction(async (tx) => {
      const project = await tx.project.findFirst({
        where: whereOf(accountId, key),
        select: { id: true, externalId: true },
      });
      if (!project) return null;
      await tx.project.delete({ where: { id: project.id } });
      return project;
    });
  }

  /** Copies the project and its templates as "Copy of …"; null when there is no such project. */
  async duplicate(accountId: number, key: ProjectKey): Promise<ProjectWithTemplates | null> {
    try {
      return await this.duplicateInTransaction(accountId, key);
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict("The project was duplicated concurrently; try again");
      throw error;
    }
  }

  private duplicateInTransaction(accountId: number, key: ProjectKey): Promise<ProjectWithTemplates | null> {
    return this.prisma.$transaction(async (tx) => {
      const source = await tx.project.findFirst({ where: whereOf(accountId, key), include: withTemplates });
      if (!source) return null;
      const externalId = source.externalId === null ? null : await freeCopyExternalId(tx, accountId, source.externalId);
      const copy = await tx.project.create({
        data: {
          accountId,
          externalId,
          contextId: newContextId(),
          name: `Copy of ${source.name}`,
          projectType: source.projectType,
          description: source.description,
          settings: source.settings as Prisma.InputJsonObject,
        },
      });
      if (source.templates.length > 0) {
        await tx.template.createMany({
          data: source.templates.map((t) => ({
            accountId,
            projectId: copy.id,
            name: `Copy of ${t.name}`,
            description: t.description,
            vendor: t.vendor,
            type: t.type,
            design: t.design as Prisma.InputJsonValue,
            disabled: t.disabled,
          })),
        });
      }
      return tx.project.findUniqueOrThrow({ where: { id: copy.id }, include: withTemplates });
    });
  }
}

/** "Copy_of_<id>", or "Copy_of_<id>_2", "_3", … when taken: duplicating twice must not fail. */
async function freeCopyExternalId(tx: Prisma.TransactionClient, accountId: number, externalId: string) {
  const base = `Copy_of_${externalId}`.slice(0, 240);
  const taken = new Set(
    (
      await tx.project.findMany({
        where: { accountId, externalId: { startsWith: base } },
        select: { externalId: true },
      })
    ).map((p) => p.externalId),
  );
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) {
    const candidate = `${base}_${n}`;
    if (!taken.has(candidate)) return candidate;
  }
}
