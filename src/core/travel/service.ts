// Flights and events (Airship's /flights and /events): stored records of a project whose fields fill the boarding
// passes and tickets made from adaptive links pointing at them. Changing one (or every one of a pass group) changes
// the passes made for its passengers or attendees through one audience-update ticket: resumable, each pass updated
// exactly once, each device pushed and each Google object synced by the usual pass-changed jobs.
import type pg from "pg";
import type { PassQuery } from "../../audiences/audience.js";
import type { Queryable } from "../../db/queryable.js";
import { semanticsProblem } from "../../domain/apple-keys.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { asValueEntries } from "../../domain/pass-values.js";
import { isObject } from "../../domain/values.js";
import { AppError, notFound } from "../../errors.js";
import type { AudienceChange, TemplatePatch } from "../../jobs/audience-update.js";
import type { Key } from "../ids.js";
import { type PaginationQuery, paginationInfo, resolvePage } from "../pagination.js";
import type { TravelKind, TravelOrder, TravelRow, TravelStore } from "./store.js";

export const MAX_FIELDS = 100;
export const MAX_FIELD_NAME = 128;
export const MAX_VALUE_LENGTH = 2048;
export const MAX_PASS_GROUPS = 100;
export const MAX_PASS_GROUP_NAME = 255;

const KINDS = {
  flight: {
    noun: "Flight",
    id: "flightId",
    externalId: "flightExternalId",
    required: [] as string[],
    exists: "FLIGHT_EXISTS",
  },
  event: {
    noun: "Event",
    id: "eventId",
    externalId: "eventExternalId",
    required: ["eventName"],
    exists: "EVENT_EXISTS",
  },
} as const;

export interface TravelDeps {
  /** The SQL (store.ts), or an in-memory stand-in in unit tests. */
  readonly store: Omit<TravelStore, "pool">;
  readonly projects: { findId(accountId: number, key: Key): Promise<number | null> };
  readonly passes: {
    patchFor(
      accountId: number,
      templateId: number,
      body: { fields?: Record<string, unknown> },
    ): Promise<TemplatePatch & { names: string[] }>;
  };
  /** Starts an audience update in the caller's transaction (jobs/audience-update.ts). */
  readonly startUpdate: (
    client: Queryable,
    accountId: number,
    audience: PassQuery,
    describe: Record<string, unknown>,
    change: (templateIds: number[]) => Promise<AudienceChange>,
  ) => Promise<{ ticketId: number; total: number }>;
  readonly inTransaction: <T>(work: (client: pg.PoolClient) => Promise<T>) => Promise<T>;
}

/** A flight's or event's fields, checked: each a text value or {value, label?, changeMessage?}. */
export function parseFields(raw: unknown, where: string, problems: string[]): Record<string, unknown> | undefined {
  if (!isObject(raw)) {
    problems.push(`${where} must be an object of named values`);
    return undefined;
  }
  const entries = Object.entries(raw);
  if (entries.length > MAX_FIELDS) problems.push(`${where} has more than ${MAX_FIELDS} fields`);
  const fields: Record<string, unknown> = {};
  const scalar = (v: unknown) =>
    (typeof v === "string" && v.length <= MAX_VALUE_LENGTH) || typeof v === "boolean" || Number.isFinite(v);
  for (const [name, value] of entries.slice(0, MAX_FIELDS)) {
    const at = `${where}.${name.slice(0, 64)}`;
    if (name.length === 0 || name.length > MAX_FIELD_NAME) {
      problems.push(`${where}: a field name must have 1 to ${MAX_FIELD_NAME} characters`);
      continue;
    }
    if (scalar(value)) {
      fields[name] = value;
      continue;
    }
    if (!isObject(value) || !("value" in value) || !scalar(value.value)) {
      problems.push(
        `${at} must be a text, number or boolean of at most ${MAX_VALUE_LENGTH} characters, or {"value", "label"?}`,
      );
      continue;
    }
    const entry: Record<string, unknown> = { value: value.value };
    for (const key of ["label", "changeMessage"] as const) {
      if (value[key] === undefined || value[key] === null) continue;
      if (typeof value[key] !== "string" || value[key].length > 255) {
        problems.push(`${at}.${key} must be a string of at most 255 characters`);
      } else entry[key] = value[key];
    }
    fields[name] = entry;
  }
  return fields;
}

/** Pass-group names, checked (1 to 255 characters each, at most 100). */
export function parsePassGroups(raw: unknown, where: string, problems: string[]): string[] | undefined {
  if (
    !Array.isArray(raw) ||
    raw.length > MAX_PASS_GROUPS ||
    raw.some((n) => typeof n !== "string" || n.trim() === "" || n.length > MAX_PASS_GROUP_NAME)
  ) {
    problems.push(
      `${where} must be an array of at most ${MAX_PASS_GROUPS} names of 1 to ${MAX_PASS_GROUP_NAME} characters`,
    );
    return undefined;
  }
  return [...new Set((raw as string[]).map((n) => n.trim()))];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** A flight's (event's) `semantics`: Apple's semantic tags, checked; null clears them, undefined leaves them. */
function parseSemantics(raw: unknown, problems: string[]): Record<string, unknown> | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === null) return null;
  const problem = semanticsProblem(raw, "semantics");
  if (problem) {
    problems.push(problem);
    return undefined;
  }
  return raw as Record<string, unknown>;
}

export class TravelService {
  constructor(private readonly deps: TravelDeps) {}

  response(kind: TravelKind, row: TravelRow) {
    const k = KINDS[kind];
    return {
      [k.id]: row.id,
      ...(row.externalId === null ? {} : { [k.externalId]: row.externalId }),
      projectId: row.projectId,
      fields: row.fields,
      passGroups: row.passGroups,
      ...(row.semantics === null ? {} : { semantics: row.semantics }),
      createdAt: row.createdAt.toISOString(),
      updatedAt: row.updatedAt.toISOString(),
    };
  }

  private async projectId(accountId: number, project: Key): Promise<number> {
    const id = await this.deps.projects.findId(accountId, project);
    if (id === null) throw notFound("Project");
    return id;
  }

  private async require(projectId: number, kind: TravelKind, key: Key): Promise<TravelRow> {
    const row = await this.deps.store.find(projectId, kind, key);
    if (!row) throw notFound(KINDS[kind].noun);
    return row;
  }

  async create(accountId: number, project: Key, kind: TravelKind, body: unknown, externalId?: string) {
    const projectId = await this.projectId(accountId, project);
    const problems: string[] = [];
    if (!isObject(body)) throw new InvalidInput([`The ${kind} must be a JSON object with fields`]);
    const fields = body.fields === undefined ? undefined : parseFields(body.fields, "fields", problems);
    if (body.fields === undefined) problems.push("fields is required");
    for (const name of KINDS[kind].required) {
      if (fields && !(name in fields)) problems.push(`fields.${name} is required`);
    }
    const groups =
      body.passGroups === undefined || body.passGroups === null
        ? []
        : parsePassGroups(body.passGroups, "passGroups", problems);
    const semantics = parseSemantics(body.semantics, problems);
    if (problems.length || !fields || !groups) throw new InvalidInput(problems);
    const id = await this.deps.inTransaction(async (client) => {
      const created = await this.deps.store.create(
        projectId,
        kind,
        externalId ?? null,
        fields,
        semantics ?? undefined,
        client,
      );
      if (created === undefined) {
        throw new AppError(KINDS[kind].exists, `The project has a ${kind} with external id "${externalId}" already`);
      }
      await this.deps.store.addToPassGroups(created, groups, client);
      return created;
    });
    return this.response(kind, await this.require(projectId, kind, { id }));
  }

  async get(accountId: number, project: Key, kind: TravelKind, key: Key) {
    const projectId = await this.projectId(accountId, project);
    return this.response(kind, await this.require(projectId, kind, key));
  }

  async list(accountId: number, project: Key, kind: TravelKind, query: PaginationQuery) {
    const projectId = await this.projectId(accountId, project);
    const page = resolvePage<TravelOrder>(query, ["id", "createdAt", "updatedAt"], "id");
    const { count, rows } = await this.deps.store.list(projectId, kind, page);
    return { count, pagination: paginationInfo(page), [`${kind}s`]: rows.map((r) => this.response(kind, r)) };
  }

  /**
   * Changes a flight's (event's) fields — each named field replaced, the others kept — and with `passGroups`, sets
   * its pass groups. Changed fields reach every pass made for it through one ticket (`ticketId`).
   */
  async update(accountId: number, project: Key, kind: TravelKind, key: Key, body: unknown) {
    const projectId = await this.projectId(accountId, project);
    if (!isObject(body)) throw new InvalidInput([`The ${kind} update must be a JSON object with fields`]);
    const problems: string[] = [];
    const fields = body.fields === undefined ? undefined : parseFields(body.fields, "fields", problems);
    const groups =
      body.passGroups === undefined || body.passGroups === null
        ? undefined
        : parsePassGroups(body.passGroups, "passGroups", problems);
    const semantics = parseSemantics(body.semantics, problems);
    if (body.fields === undefined && groups === undefined && semantics === undefined && !problems.length) {
      problems.push("name fields to change, passGroups or semantics to set");
    }
    if (problems.length) throw new InvalidInput(problems);
    const { id, ticketId } = await this.deps.inTransaction(async (client) => {
      const id = await this.deps.store.lock(projectId, kind, key, client);
      if (id === undefined) throw notFound(KINDS[kind].noun);
      const [current] = await this.deps.store.byIds([id], client);
      if (groups !== undefined) {
        await this.deps.store.removeFromPassGroups(id, undefined, client);
        await this.deps.store.addToPassGroups(id, groups, client);
      }
      const changed = Object.fromEntries(
        Object.entries(fields ?? {}).filter(([name, value]) => !same(current!.fields[name], value)),
      );
      const semanticsChanged = semantics !== undefined && !same(current!.semantics, semantics);
      if (semanticsChanged) await this.deps.store.setSemantics(id, semantics, client);
      if (Object.keys(changed).length === 0 && !semanticsChanged) return { id, ticketId: undefined };
      if (Object.keys(changed).length) await this.deps.store.mergeFields(id, changed, client);
      return { id, ticketId: await this.follow(client, accountId, kind, [id], changed) };
    });
    const row = await this.require(projectId, kind, { id });
    return { ...this.response(kind, row), ...(ticketId === undefined ? {} : { ticketId }) };
  }

  async delete(accountId: number, project: Key, kind: TravelKind, key: Key) {
    const projectId = await this.projectId(accountId, project);
    const row = await this.require(projectId, kind, key);
    // The links keep their passes (they no longer follow the flight).
    if (!(await this.deps.store.delete(projectId, kind, { id: row.id }))) throw notFound(KINDS[kind].noun);
    return { [KINDS[kind].id]: row.id, status: "deleted" as const };
  }

  async addToPassGroups(accountId: number, project: Key, kind: TravelKind, key: Key, body: unknown) {
    const projectId = await this.projectId(accountId, project);
    const problems: string[] = [];
    const names = isObject(body) ? parsePassGroups(body.passGroups, "passGroups", problems) : undefined;
    if (!isObject(body)) problems.push('The body must be {"passGroups": ["name", …]}');
    else if (names?.length === 0) problems.push("passGroups must name at least one pass group");
    if (problems.length || !names) throw new InvalidInput(problems);
    const row = await this.require(projectId, kind, key);
    await this.deps.store.addToPassGroups(row.id, names);
    return { [KINDS[kind].id]: row.id, passGroups: names };
  }

  /** Takes a flight (event) out of the named pass groups, or out of all of them without names. */
  async removeFromPassGroups(accountId: number, project: Key, kind: TravelKind, key: Key, names?: unknown) {
    const projectId = await this.projectId(accountId, project);
    const problems: string[] = [];
    const parsed = names === undefined ? undefined : parsePassGroups(names, "passGroups", problems);
    if (problems.length) throw new InvalidInput(problems);
    const row = await this.require(projectId, kind, key);
    const removed = await this.deps.store.removeFromPassGroups(row.id, parsed);
    const after = await this.require(projectId, kind, { id: row.id });
    return { [KINDS[kind].id]: row.id, removed, passGroups: after.passGroups };
  }

  /** Changes the named fields of every flight (event) of a pass group, and their passes through one ticket. */
  async updatePassGroup(accountId: number, project: Key, kind: TravelKind, name: string, body: unknown) {
    const projectId = await this.projectId(accountId, project);
    const problems: string[] = [];
    const fields = isObject(body) ? parseFields(body.fields, "fields", problems) : undefined;
    if (!isObject(body)) problems.push('The body must be {"fields": {…}}');
    else if (fields && Object.keys(fields).length === 0) problems.push("fields must name at least one field");
    if (problems.length || !fields) throw new InvalidInput(problems);
    const { ids, ticketId } = await this.deps.inTransaction(async (client) => {
      const ids = await this.deps.store.lockPassGroup(projectId, kind, name, client);
      if (ids.length === 0) throw notFound("Pass group", `Pass group "${name.slice(0, 255)}"`);
      for (const id of ids) await this.deps.store.mergeFields(id, fields, client);
      return { ids, ticketId: await this.follow(client, accountId, kind, ids, fields) };
    });
    const rows = await this.deps.store.byIds(ids);
    return { passGroup: name, ticketId, [`${kind}s`]: rows.map((r) => this.response(kind, r)) };
  }

  /**
   * The passes made for these flights (events) take the changed fields, in the caller's transaction: one ticket,
   * each template of those passes taking the names it has.
   */
  follow(
    client: Queryable,
    accountId: number,
    kind: TravelKind,
    ids: number[],
    fields: Record<string, unknown>,
  ): Promise<number> {
    return this.deps
      .startUpdate(
        client,
        accountId,
        this.deps.store.passesOf(kind, ids),
        { change: kind, [`${kind}Ids`]: ids, fields: Object.keys(fields) },
        async (templateIds) => {
          const patches = await Promise.all(
            templateIds.map((id) => this.deps.passes.patchFor(accountId, id, { fields: asValueEntries(fields) })),
          );
          // Every template's passes are re-rendered (a new version each, so every device is pushed): one without any
          // of the names still shows the flight in its semantic tags, read from the adaptive link.
          return { patches };
        },
      )
      .then((t) => t.ticketId);
  }

  /** `follow` in a transaction of its own: a multiple-links request changed a flight (event) it names. */
  async changed(accountId: number, kind: TravelKind, id: number, fields: Record<string, unknown>): Promise<number> {
    return this.deps.inTransaction((client) => this.follow(client, accountId, kind, [id], fields));
  }

  /** Adds a flight (event) made by a multiple-links request to its pass groups. */
  join(id: number, names: string[]): Promise<string[]> {
    return this.deps.store.addToPassGroups(id, names);
  }
}
