// The rules of schedules: a pass update (values and/or a notification) for an audience of a project — a tag, a
// segment, a template or a list of passes — at a set time (UTC when the time names no zone; never in the past).
// At that time it starts as an audience-update ticket (pushes and Google sync follow as for any update), once.
import type pg from "pg";
import { parseAudience } from "../../audiences/audience.js";
import type { AudienceResolver } from "../../audiences/audience-store.js";
import type { Clock } from "../../clock.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { valueGroupsOf } from "../../domain/pass-values.js";
import { isObject, jsonBytes } from "../../domain/values.js";
import { notFound } from "../../errors.js";
import { startAudienceUpdate } from "../../jobs/audience-update.js";
import { type Key, projectIdOf } from "../ids.js";
import type { NotificationService } from "../notifications/service.js";
import type { PassService } from "../passes/service.js";
import type { ScheduleRepository, ScheduleRow, StoredUpdate } from "./repository.js";

const MAX_NAME = 255;
/** Schedules in one page of the list. */
const MAX_PAGE = 100;
/** The largest stored update (audience, values and notification) in bytes of JSON. */
export const MAX_UPDATE_BYTES = 64 * 1024;
/** How far ahead a schedule may be set. */
const MAX_AHEAD_MS = 5 * 366 * 24 * 3_600_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)(Z|[+-]\d{2}:?\d{2})?$/i;

export class ScheduleService {
  constructor(
    private readonly schedules: ScheduleRepository,
    private readonly projects: { findId(accountId: number, key: Key): Promise<number | null> },
    private readonly audiences: AudienceResolver,
    private readonly passes: Pick<PassService, "patchFor">,
    private readonly notifications: Pick<NotificationService, "messageOf">,
    private readonly clock: Clock,
    private readonly publicBaseUrl: string,
  ) {}

  async create(accountId: number, projectParam: string, body: unknown) {
    const projectId = await this.project(accountId, projectParam);
    const { name, at, update } = await this.check(accountId, projectId, body);
    return this.response(await this.schedules.create(accountId, projectId, name, at, update));
  }

  /**
   * A page of the project's pending schedules: `limit` (1–100, default 100) from `start` (default 0), with
   * `next_page` (the URL of the next page) while more remain. A page holds at most 100 schedules of at most
   * MAX_UPDATE_BYTES each, so a response never needs more than a few megabytes however many are stored.
   */
  async list(accountId: number, projectParam: string, query: { start?: string; limit?: string } = {}) {
    const projectId = await this.project(accountId, projectParam);
    const start = query.start === undefined ? 0 : Number(query.start);
    const limit = query.limit === undefined ? MAX_PAGE : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
      throw new InvalidInput([`limit must be from 1 to ${MAX_PAGE}`]);
    }
    const { rows, total } = await this.schedules.pending(accountId, projectId, { start, limit });
    const next = start + rows.length < total ? start + limit : undefined;
    return {
      ok: true,
      count: rows.length,
      total_count: total,
      schedules: rows.map((r) => this.response(r)),
      ...(next === undefined
        ? {}
        : { next_page: `${this.publicBaseUrl}/v1/schedules/${projectParam}?start=${next}&limit=${limit}` }),
    };
  }

  async get(accountId: number, projectParam: string, scheduleId: string) {
    const projectId = await this.project(accountId, projectParam);
    const row = UUID.test(scheduleId) ? await this.schedules.get(accountId, projectId, scheduleId) : undefined;
    if (!row) throw notFound("Schedule");
    return this.response(row);
  }

  async replace(accountId: number, projectParam: string, scheduleId: string, body: unknown) {
    const projectId = await this.project(accountId, projectParam);
    if (!UUID.test(scheduleId)) throw notFound("Schedule");
    const { name, at, update } = await this.check(accountId, projectId, body);
    const row = await this.schedules.replace(accountId, projectId, scheduleId, name, at, update);
    if (!row) throw notFound("Schedule");
    return this.response(row);
  }

  async delete(accountId: number, projectParam: string, scheduleId: string) {
    const projectId = await this.project(accountId, projectParam);
    if (!UUID.test(scheduleId) || !(await this.schedules.delete(accountId, projectId, scheduleId))) {
      throw notFound("Schedule");
    }
  }

  /** The worker's round: starts every schedule due now; answers how many it started. */
  runDue(): Promise<number> {
    return this.schedules.runDue(this.clock.now(), (client, row) => this.start(client, row));
  }

  /** Starts one schedule's update in the claiming transaction; answers its ticket. */
  private async start(client: pg.PoolClient, row: ScheduleRow): Promise<number> {
    const parsed = parseAudience(row.update.audience);
    if ("problems" in parsed) throw new InvalidInput(parsed.problems);
    const query = await this.audiences.query(row.accountId, row.projectId, parsed.audience, client);
    const { ticketId } = await startAudienceUpdate(
      client,
      row.accountId,
      query,
      { scheduleId: row.id, change: "schedule" },
      async (templateIds) => ({
        patches: row.update.pass
          ? await Promise.all(templateIds.map((id) => this.passes.patchFor(row.accountId, id, row.update.pass!)))
          : [],
        ...(row.update.notification ? { notification: row.update.notification } : {}),
      }),
    );
    return ticketId;
  }

  /** A request's schedule, checked: its time, its audience (which must exist now) and its values' names. */
  private async check(accountId: number, projectId: number, body: unknown) {
    if (!isObject(body)) throw new InvalidInput(["The schedule must be a JSON object with schedule and update"]);
    const problems: string[] = [];
    const name = body.name ?? null;
    if (name !== null && (typeof name !== "string" || name.length > MAX_NAME)) {
      problems.push(`name must be a string of at most ${MAX_NAME} characters`);
    }
    const at = this.timeOf(isObject(body.schedule) ? body.schedule.scheduled_time : undefined, problems);
    const raw = isObject(body.update) ? body.update : undefined;
    if (!raw) problems.push('update is required: {"audience": …, "pass": {"fields": …}} and/or "notification"');
    const audience = raw ? parseAudience(raw.audience, "update.audience") : undefined;
    if (audience && "problems" in audience) problems.push(...audience.problems);
    if (raw && raw.pass === undefined && raw.notification === undefined) {
      problems.push("update needs pass values, a notification, or both");
    }
    if (problems.length || !raw || !audience || "problems" in audience) throw new InvalidInput(problems);
    const update: StoredUpdate = { audience: raw.audience as Record<string, unknown> };
    if (raw.pass !== undefined) {
      const { groups, names } = valueGroupsOf(raw.pass, "update.pass");
      const taken = new Set<string>();
      for (const templateId of await this.schedules.templateIds(projectId)) {
        for (const taker of (await this.passes.patchFor(accountId, templateId, groups)).names) taken.add(taker);
      }
      const unknown = names.filter((n) => !taken.has(n));
      if (unknown.length) {
        throw new InvalidInput([`no template of the project has ${unknown.map((n) => `"${n}"`).join(", ")}`]);
      }
      update.pass = groups;
    }
    if (raw.notification !== undefined) update.notification = this.notifications.messageOf(raw.notification);
    const size = jsonBytes(update);
    if (size > MAX_UPDATE_BYTES) {
      throw new InvalidInput([`update is ${size} bytes of JSON; a schedule keeps at most ${MAX_UPDATE_BYTES}`]);
    }
    // The audience must name something that exists now (a segment or template of this project).
    await this.audiences.query(accountId, projectId, audience.audience);
    return { name: name as string | null, at: at!, update };
  }

  private timeOf(raw: unknown, problems: string[]): Date | undefined {
    const match = typeof raw === "string" ? TIME.exec(raw.trim()) : null;
    if (!match) {
      problems.push('schedule.scheduled_time is required: an ISO 8601 time such as "2026-12-24T18:00:00" (UTC)');
      return undefined;
    }
    const [, day, time, zone] = match;
    const at = new Date(`${day}T${time}${zone ? zone.toUpperCase().replace(/^([+-]\d{2})(\d{2})$/, "$1:$2") : "Z"}`);
    if (Number.isNaN(at.getTime())) problems.push("schedule.scheduled_time is not a real date and time");
    else if (at.getTime() <= this.clock.now()) problems.push("schedule.scheduled_time is in the past");
    else if (at.getTime() > this.clock.now() + MAX_AHEAD_MS)
      problems.push("schedule.scheduled_time is more than 5 years ahead");
    else return at;
    return undefined;
  }

  private project(accountId: number, projectParam: string) {
    return projectIdOf(this.projects, accountId, { projectId: projectParam });
  }

  private response(row: ScheduleRow) {
    return {
      id: row.id,
      scheduleId: row.id,
      url: `${this.publicBaseUrl}/v1/schedules/${row.projectId}/${row.id}`,
      ...(row.name === null ? {} : { name: row.name }),
      schedule: { scheduled_time: row.scheduledTime.toISOString().slice(0, 19) },
      update: row.update,
      state: row.state,
      ...(row.ticketId === null ? {} : { ticketId: row.ticketId }),
      ...(row.ranAt === null ? {} : { ranAt: row.ranAt.toISOString(), lateBySeconds: row.lateBySeconds ?? 0 }),
      ...(row.error === null ? {} : { error: row.error }),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }
}
