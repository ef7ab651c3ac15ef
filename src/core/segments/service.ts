// The rules of segments: named tag criteria of a project (and, or, not over tags, nestable), what they select,
// and the group forms of a pass update and a notification on a segment's passes. Deleting a segment deletes its
// criteria, never its passes.
import { randomUUID } from "node:crypto";
import { type Criteria, parseCriteria } from "../../audiences/criteria.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { valueGroupsOf } from "../../domain/pass-values.js";
import { isObject } from "../../domain/values.js";
import { notFound } from "../../errors.js";
import { type Key, projectIdOf } from "../ids.js";
import type { NotificationService } from "../notifications/service.js";
import { type PaginationQuery, paginationInfo, resolvePage } from "../pagination.js";
import type { PassService } from "../passes/service.js";
import type { SegmentRepository, SegmentRow } from "./repository.js";

const MAX_NAME = 255;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class SegmentService {
  constructor(
    private readonly segments: SegmentRepository,
    private readonly projects: { findId(accountId: number, key: Key): Promise<number | null> },
    private readonly passes: Pick<PassService, "patchFor">,
    private readonly notifications: Pick<NotificationService, "messageOf">,
  ) {}

  async create(accountId: number, projectParam: string, body: unknown) {
    const { criteria, displayName } = checkBody(body, true);
    const projectId = await this.project(accountId, projectParam);
    const segment = await this.segments.create(accountId, projectId, criteria!, displayName ?? null);
    return { ok: true, segmentId: segment.id, operationId: randomUUID() };
  }

  async get(accountId: number, projectParam: string, segmentId: string, withCount = false) {
    const segment = await this.find(accountId, projectParam, segmentId);
    const passCount = withCount
      ? await this.segments.count(await this.segments.query(accountId, segment.projectId, segment.criteria))
      : undefined;
    return { ...response(segment), ...(passCount === undefined ? {} : { passCount }) };
  }

  async list(accountId: number, projectParam: string, query: PaginationQuery) {
    const projectId = await this.project(accountId, projectParam);
    const page = resolvePage(query, ["createdAt", "updatedAt"] as const, "createdAt");
    const { rows, count } = await this.segments.list(accountId, projectId, page);
    return { count, pagination: paginationInfo(page), segments: rows.map(response) };
  }

  async update(accountId: number, projectParam: string, segmentId: string, body: unknown) {
    const changes = checkBody(body, false);
    const projectId = await this.project(accountId, projectParam);
    const updated = UUID.test(segmentId)
      ? await this.segments.update(accountId, projectId, segmentId, changes)
      : undefined;
    if (!updated) throw notFound("Segment");
    return { ok: true, segmentId: updated.id, operationId: randomUUID() };
  }

  async delete(accountId: number, projectParam: string, segmentId: string) {
    const projectId = await this.project(accountId, projectParam);
    if (!UUID.test(segmentId) || !(await this.segments.delete(accountId, projectId, segmentId))) {
      throw notFound("Segment");
    }
  }

  /** PUT …/passes: every pass the segment selects now takes the values (each the names its template has). */
  async updatePasses(accountId: number, projectParam: string, segmentId: string, body: unknown) {
    const { groups, names } = valueGroupsOf(body);
    const segment = await this.find(accountId, projectParam, segmentId);
    const query = await this.segments.query(accountId, segment.projectId, segment.criteria);
    const { ticketId } = await this.segments.startUpdate(
      accountId,
      query,
      { segmentId: segment.id, change: "values" },
      async (templateIds) => {
        const patches = await Promise.all(templateIds.map((id) => this.passes.patchFor(accountId, id, groups)));
        const taken = new Set(patches.flatMap((p) => p.names));
        const unknown = patches.length ? names.filter((name) => !taken.has(name)) : [];
        if (unknown.length) {
          throw new InvalidInput([
            `no template of the segment's passes has ${unknown.map((n) => `"${n}"`).join(", ")}`,
          ]);
        }
        return { patches };
      },
    );
    return { ticketId };
  }

  /** POST (show) or DELETE (clear) …/notify: the notification on every pass the segment selects now. */
  async notify(accountId: number, projectParam: string, segmentId: string, body: unknown | null) {
    const message = body === null ? "clear" : this.notifications.messageOf(body);
    const segment = await this.find(accountId, projectParam, segmentId);
    const query = await this.segments.query(accountId, segment.projectId, segment.criteria);
    const { ticketId } = await this.segments.startUpdate(
      accountId,
      query,
      { segmentId: segment.id, change: message === "clear" ? "notification cleared" : "notification" },
      async () => ({ notification: message }),
    );
    return { ticketId };
  }

  private async find(accountId: number, projectParam: string, segmentId: string): Promise<SegmentRow> {
    const projectId = await this.project(accountId, projectParam);
    const segment = UUID.test(segmentId) ? await this.segments.get(accountId, projectId, segmentId) : undefined;
    if (!segment) throw notFound("Segment");
    return segment;
  }

  private project(accountId: number, projectParam: string) {
    return projectIdOf(this.projects, accountId, { projectId: projectParam });
  }
}

function checkBody(body: unknown, creating: boolean): { criteria?: Criteria; displayName?: string | null } {
  if (!isObject(body)) throw new InvalidInput(["The segment must be a JSON object with criteria"]);
  const problems: string[] = [];
  const result: { criteria?: Criteria; displayName?: string | null } = {};
  if (body.criteria === undefined) {
    if (creating) problems.push('criteria is required: e.g. {"and": [{"tag": "TZ_PST"}, {"not": {"tag": "TZ_ET"}}]}');
  } else {
    const parsed = parseCriteria(body.criteria);
    if ("problems" in parsed) problems.push(...parsed.problems);
    else result.criteria = parsed.criteria;
  }
  const name = body.display_name ?? body.displayName;
  if (name !== undefined) {
    if (name !== null && (typeof name !== "string" || name.length > MAX_NAME)) {
      problems.push(`display_name must be a string of at most ${MAX_NAME} characters`);
    } else result.displayName = name as string | null;
  }
  if (!creating && result.criteria === undefined && result.displayName === undefined) {
    problems.push("name criteria and/or display_name to change");
  }
  if (problems.length) throw new InvalidInput(problems);
  return result;
}

function response(segment: SegmentRow) {
  return {
    segmentId: segment.id,
    id: segment.id,
    projectId: segment.projectId,
    display_name: segment.displayName,
    criteria: segment.criteria,
    createdAt: segment.createdAt.toISOString(),
    updatedAt: segment.updatedAt.toISOString(),
  };
}
