// The rules of projects: creation defaults, partial update, duplication, deletion, response shape.
import { InvalidInput } from "../../domain/invalid-input.js";
import { templateHeaderOf } from "../../domain/template-header.js";
import { notFound } from "../../errors.js";
import { keyOf } from "../ids.js";
import { type PaginationQuery, paginationInfo, resolvePage } from "../pagination.js";
import type { ProjectKey, ProjectRecord, ProjectRepository } from "./repository.js";
import { PROJECT_ORDERS, type ProjectCreateBody, type ProjectUpdateBody } from "./types.js";

/** Parses a path id; ids beyond the integer range cannot exist, so they resolve to "not found". */
export function projectKeyOf(params: { projectId?: string; externalId?: string }): ProjectKey {
  return keyOf({ id: params.projectId, externalId: params.externalId }, "Project");
}

export function projectResponse(project: ProjectRecord) {
  return {
    id: project.id,
    ...(project.externalId === null ? {} : { externalId: project.externalId }),
    contextId: project.contextId,
    name: project.name,
    description: project.description,
    projectType: project.projectType,
    settings: project.settings,
    ...(project.appleCertificateId === null ? {} : { appleCertificateId: project.appleCertificateId }),
    templates: project.templates.map((t) => templateHeaderOf(t, project)),
    createdAt: project.createdAt.toISOString(),
    updatedAt: project.updatedAt.toISOString(),
  };
}

export type ProjectResponse = ReturnType<typeof projectResponse>;

export const MAX_SETTINGS_BYTES = 16_384;
export const MAX_SETTINGS_DEPTH = 4;

export class ProjectService {
  constructor(private readonly projects: ProjectRepository) {}

  async list(accountId: number, query: PaginationQuery) {
    const page = resolvePage(query, PROJECT_ORDERS, "id");
    const { count, rows } = await this.projects.list(accountId, page);
    return { count, pagination: paginationInfo(page), projects: rows.map(projectResponse) };
  }

  async get(accountId: number, key: ProjectKey): Promise<ProjectResponse> {
    const project = await this.projects.find(accountId, key);
    if (!project) throw notFound("Project");
    return projectResponse(project);
  }

  async create(accountId: number, body: ProjectCreateBody, externalId?: string): Promise<ProjectResponse> {
    checkSettings(body.settings);
    const project = await this.projects.create(
      accountId,
      {
        name: body.name,
        projectType: body.projectType,
        description: body.description ?? "",
        settings: body.settings ?? {},
      },
      externalId,
    );
    return projectResponse(project);
  }

  /** Partial update: keys absent from `body` keep their values. */
  async update(accountId: number, key: ProjectKey, body: ProjectUpdateBody): Promise<ProjectResponse> {
    checkSettings(body.settings);
    const changes = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
    if (Object.keys(changes).length === 0) return this.get(accountId, key);
    const project = await this.projects.update(accountId, key, changes);
    if (!project) throw notFound("Project");
    return projectResponse(project);
  }

  async duplicate(accountId: number, key: ProjectKey): Promise<ProjectResponse> {
    const project = await this.projects.duplicate(accountId, key);
    if (!project) throw notFound("Project");
    return projectResponse(project);
  }

  async delete(accountId: number, key: ProjectKey) {
    const deleted = await this.projects.delete(accountId, key);
    if (!deleted) throw notFound("Project");
    return {
      status: "deleted" as const,
      projectId: deleted.id,
      ...(deleted.externalId === null ? {} : { externalId: deleted.externalId }),
    };
  }
}

/** Settings are free-form, within bounds: MAX_SETTINGS_BYTES of JSON, nested at most MAX_SETTINGS_DEPTH deep. */
function checkSettings(settings: unknown): void {
  if (settings === undefined) return;
  const bytes = Buffer.byteLength(JSON.stringify(settings));
  if (bytes > MAX_SETTINGS_BYTES) {
    throw new InvalidInput([`settings must be at most ${MAX_SETTINGS_BYTES} bytes of JSON (got ${bytes})`]);
  }
  const depth = (value: unknown): number =>
    typeof value === "object" && value !== null ? 1 + Math.max(0, ...Object.values(value).map(depth)) : 0;
  if (depth(settings) > MAX_SETTINGS_DEPTH) {
    throw new InvalidInput([`settings may be nested at most ${MAX_SETTINGS_DEPTH} levels deep`]);
  }
}
