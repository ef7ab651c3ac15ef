// TravelService's rules without a server: an in-memory store stands in for the SQL (store.ts, tested over HTTP in
// travel.test.ts), and the audience-update starter records what it is asked to do. What is checked here is the
// service's own reasoning: which fields count as changed, when a ticket is started and for which flights, which
// templates get a patch, and that bad input is refused before anything is written.
import { beforeEach, describe, expect, it } from "vitest";
import type { TravelDeps } from "../../../src/core/travel/service.js";
import { TravelService } from "../../../src/core/travel/service.js";
import type { TravelKind, TravelRow } from "../../../src/core/travel/store.js";

type Store = TravelDeps["store"];

/** An in-memory TravelStore: rows by id, pass groups as names. */
function memoryStore(): Store & { rows: Map<number, TravelRow & { kind: TravelKind }> } {
  const rows = new Map<number, TravelRow & { kind: TravelKind }>();
  let next = 1;
  const find = (projectId: number, kind: TravelKind, key: { id: number } | { externalId: string }) =>
    [...rows.values()].find(
      (r) =>
        r.projectId === projectId &&
        r.kind === kind &&
        ("id" in key ? r.id === key.id : r.externalId === key.externalId),
    );
  const copy = (r: TravelRow) => ({ ...r, fields: { ...r.fields }, passGroups: [...r.passGroups].sort() });
  return {
    rows,
    async find(projectId, kind, key) {
      const row = find(projectId, kind, key);
      return row && copy(row);
    },
    async lock(projectId, kind, key) {
      return find(projectId, kind, key)?.id;
    },
    async create(projectId, kind, externalId, fields, semantics) {
      if (externalId !== null && find(projectId, kind, { externalId })) return undefined;
      const id = next++;
      const at = new Date(0);
      rows.set(id, {
        id,
        kind,
        projectId,
        externalId,
        fields,
        semantics: semantics ?? null,
        passGroups: [],
        createdAt: at,
        updatedAt: at,
      });
      return id;
    },
    async mergeFields(id, fields) {
      Object.assign(rows.get(id)!.fields, fields);
    },
    async setSemantics(id, semantics) {
      rows.get(id)!.semantics = semantics;
    },
    async delete(projectId, kind, key) {
      const row = find(projectId, kind, key);
      return row ? rows.delete(row.id) : false;
    },
    async list(projectId, kind) {
      const all = [...rows.values()].filter((r) => r.projectId === projectId && r.kind === kind).map(copy);
      return { count: all.length, rows: all };
    },
    async addToPassGroups(id, names) {
      const row = rows.get(id)!;
      const added = names.filter((n) => !row.passGroups.includes(n));
      row.passGroups.push(...added);
      return added;
    },
    async removeFromPassGroups(id, names) {
      const row = rows.get(id)!;
      const removed = row.passGroups.filter((n) => names === undefined || names.includes(n));
      row.passGroups = row.passGroups.filter((n) => !removed.includes(n));
      return removed.sort();
    },
    async lockPassGroup(projectId, kind, name) {
      return [...rows.values()]
        .filter((r) => r.projectId === projectId && r.kind === kind && r.passGroups.includes(name))
        .map((r) => r.id);
    },
    async byIds(ids) {
      return ids.map((id) => copy(rows.get(id)!));
    },
    passesOf(kind, ids) {
      return { sql: `passes of ${kind}s`, params: [ids] };
    },
  };
}

interface Started {
  audience: { sql: string; params: unknown[] };
  describe: Record<string, unknown>;
  patches: Array<{ templateId: number; names: string[] }>;
}

let store: ReturnType<typeof memoryStore>;
let started: Started[];
let service: TravelService;
/** The templates the fake audience holds (each gets a patch of the names it has). */
const TEMPLATE_FIELDS: Record<number, string[]> = { 10: ["departureGate", "boardingTime"], 11: ["seatNumber"] };

beforeEach(() => {
  store = memoryStore();
  started = [];
  service = new TravelService({
    store,
    projects: { findId: async (_account, key) => ("id" in key && key.id === 1 ? 1 : null) },
    passes: {
      patchFor: async (_account, templateId, body) => {
        const names = Object.keys(body.fields ?? {}).filter((n) => TEMPLATE_FIELDS[templateId]?.includes(n));
        return { templateId, names, overrides: {}, images: {}, clearedImages: [] };
      },
    },
    startUpdate: async (_client, _account, audience, describe, change) => {
      const { patches = [] } = await change(Object.keys(TEMPLATE_FIELDS).map(Number));
      started.push({
        audience,
        describe,
        patches: patches.map((p) => ({ templateId: p.templateId, names: (p as { names?: string[] }).names ?? [] })),
      });
      return { ticketId: started.length, total: 3 };
    },
    inTransaction: (work) => work({} as never),
  });
});

const project = { id: 1 };
/** A flight's id in a service answer (whose id key depends on the kind). */
const idOf = (answer: object) => (answer as { flightId: number }).flightId;

describe("TravelService (in-memory store)", () => {
  it("starts a ticket only for fields whose value changes, for every template of the flight's passes", async () => {
    const id = idOf(
      await service.create(9, project, "flight", { fields: { departureGate: "25", flightNumber: "815" } }),
    );
    const same = await service.update(9, project, "flight", { id }, { fields: { departureGate: "25" } });
    expect(same.ticketId).toBeUndefined();
    expect(started).toHaveLength(0);

    const moved = await service.update(
      9,
      project,
      "flight",
      { id },
      { fields: { departureGate: "31", flightNumber: "815" } },
    );
    expect(moved.ticketId).toBe(1);
    expect(started[0]!.describe).toEqual({ change: "flight", flightIds: [id], fields: ["departureGate"] });
    expect(started[0]!.audience.params).toEqual([[id]]);
    // Every template is re-rendered, also one without the changed names (its semantic tags read the flight).
    expect(started[0]!.patches).toEqual([
      { templateId: 10, names: ["departureGate"] },
      { templateId: 11, names: [] },
    ]);
    expect(store.rows.get(id)!.fields).toEqual({ departureGate: "31", flightNumber: "815" });
  });

  it("changes every flight of a pass group through one ticket", async () => {
    const a = idOf(await service.create(9, project, "flight", { fields: { x: "1" }, passGroups: ["am"] }));
    const b = idOf(await service.create(9, project, "flight", { fields: { x: "2" }, passGroups: ["am", "pm"] }));
    await service.create(9, project, "flight", { fields: { x: "3" }, passGroups: ["pm"] });
    const answer = await service.updatePassGroup(9, project, "flight", "am", { fields: { boardingTime: "09:00" } });
    expect(answer.ticketId).toBe(1);
    expect(started).toHaveLength(1);
    expect(started[0]!.audience.params).toEqual([[a, b]]);
    expect((answer.flights as Array<{ fields: object }>).map((f) => f.fields)).toEqual([
      { x: "1", boardingTime: "09:00" },
      { x: "2", boardingTime: "09:00" },
    ]);
    await expect(service.updatePassGroup(9, project, "flight", "nobody", { fields: { x: "1" } })).rejects.toMatchObject(
      {
        code: "PASS_GROUP_NOT_FOUND",
      },
    );
  });

  it("refuses bad input before writing, names each problem, and keeps external ids unique", async () => {
    await expect(service.create(9, project, "event", { fields: { venueTitle: "Park" } })).rejects.toMatchObject({
      problems: ["fields.eventName is required"],
    });
    await expect(
      service.create(9, project, "flight", { fields: { gate: { label: 3 } }, passGroups: "g" }),
    ).rejects.toMatchObject({
      problems: [
        'fields.gate must be a text, number or boolean of at most 2048 characters, or {"value", "label"?}',
        "passGroups must be an array of at most 100 names of 1 to 255 characters",
      ],
    });
    await expect(
      service.create(9, project, "flight", { fields: { a: "1" }, semantics: { flightNumber: "x" } }),
    ).rejects.toMatchObject({ problems: ["semantics.flightNumber must be an integer"] });
    expect(store.rows.size).toBe(0);
    await service.create(9, project, "flight", { fields: { a: "1" } }, "F1");
    await expect(service.create(9, project, "flight", { fields: { a: "2" } }, "F1")).rejects.toMatchObject({
      code: "FLIGHT_EXISTS",
    });
    await expect(service.get(9, { id: 2 }, "flight", { id: 1 })).rejects.toMatchObject({ code: "PROJECT_NOT_FOUND" });
    // A flight is not an event.
    await expect(service.get(9, project, "event", { externalId: "F1" })).rejects.toMatchObject({
      code: "EVENT_NOT_FOUND",
    });
  });

  it("re-renders the passes when only the flight's semantics change, and not when they stay", async () => {
    const id = idOf(
      await service.create(9, project, "flight", { fields: { a: "1" }, semantics: { boardingGroup: "A" } }),
    );
    expect((await service.update(9, project, "flight", { id }, { semantics: { boardingGroup: "A" } })).ticketId).toBe(
      undefined,
    );
    expect((await service.update(9, project, "flight", { id }, { semantics: { boardingGroup: "B" } })).ticketId).toBe(
      1,
    );
    expect(store.rows.get(id)!.semantics).toEqual({ boardingGroup: "B" });
    expect((await service.update(9, project, "flight", { id }, { semantics: null })).ticketId).toBe(2);
    expect(store.rows.get(id)!.semantics).toBeNull();
  });
});
