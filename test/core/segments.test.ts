// Segments over real HTTP and Postgres: the criteria truth table (and/or/not, nested) against hand-built tag sets
// evaluated independently here, the segment's life (create, get with its size, list, update, delete — never the
// passes), malformed criteria named, and the segment forms of the pass update and the notification reaching
// exactly the passes the segment selects.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { segmentQuery } from "../../src/audiences/audience-store.js";
import type { Criteria } from "../../src/audiences/criteria.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let projectId: number;
let otherProjectId: number;
/** Pass id → its tags, for every pass of the project (and one outside it). */
const tagSets = new Map<number, string[]>();
let outsider: number;

/** The criteria's answer for one tag set, computed without SQL. */
function holds(criteria: Criteria, tags: string[]): boolean {
  if ("tag" in criteria) return tags.includes(criteria.tag);
  if ("not" in criteria) return !holds(criteria.not, tags);
  if ("and" in criteria) return criteria.and.every((c) => holds(c, tags));
  return criteria.or.some((c) => holds(c, tags));
}

beforeAll(async () => {
  server = await startTestServer({ apple: testPki().setup, worker: true });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Segments", projectType: "coupon" } })).json.id;
  otherProjectId = (await server.call("POST", "/v1/project", { body: { name: "Other", projectType: "coupon" } })).json
    .id;
  const templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  const otherTemplate = (await server.call("POST", `/v1/template/${otherProjectId}`, { body: appleTemplate })).json
    .templateId;
  // Every combination of A, B, C, D (16 passes), some with an unrelated tag too.
  for (let mask = 0; mask < 16; mask++) {
    const tags = ["A", "B", "C", "D"].filter((_, bit) => mask & (1 << bit));
    if (mask % 3 === 0) tags.push("Z");
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    if (tags.length)
      expect((await server.call("PUT", `/v1/pass/${pass.id}/tags`, { body: { tags } })).status).toBe(200);
    tagSets.set(pass.id, tags);
  }
  outsider = (await server.call("POST", `/v1/pass/${otherTemplate}`, { body: {} })).json.id;
  await server.call("PUT", `/v1/pass/${outsider}/tags`, { body: { tags: ["A", "B", "C", "D"] } });
});
afterAll(() => server?.close());

const CASES: Criteria[] = [
  { tag: "A" },
  { tag: "missing" },
  { not: { tag: "A" } },
  { not: { tag: "missing" } },
  { and: [{ tag: "A" }, { tag: "B" }] },
  { or: [{ tag: "A" }, { tag: "B" }] },
  { and: [{ tag: "A" }, { not: { tag: "B" } }] },
  { and: [{ not: { tag: "A" } }, { not: { tag: "B" } }] },
  { or: [{ not: { tag: "A" } }, { tag: "D" }] },
  { and: [{ or: [{ tag: "A" }, { tag: "B" }] }, { or: [{ tag: "C" }, { tag: "D" }] }] },
  { or: [{ and: [{ tag: "A" }, { tag: "B" }] }, { and: [{ tag: "C" }, { not: { tag: "D" } }] }] },
  { not: { or: [{ tag: "A" }, { and: [{ tag: "B" }, { not: { tag: "C" } }] }] } },
  { and: [{ tag: "Z" }, { not: { and: [{ tag: "A" }, { tag: "missing" }] } }] },
  { not: { not: { not: { tag: "C" } } } },
  { and: [{ tag: "A" }, { tag: "A" }, { not: { tag: "missing" } }] },
];

/** Checks every case against the tag sets: the query's pass ids are exactly those `holds` picks. */
async function expectTruthTable(accountId: number, project: number, sets: Map<number, string[]>, outside?: number) {
  for (const criteria of CASES) {
    const query = await segmentQuery(server.database, accountId, project, criteria);
    const { rows } = await server.database.query<{ id: number }>(query.sql, query.params);
    const expected = [...sets].filter(([, tags]) => holds(criteria, tags)).map(([id]) => id);
    expect(
      rows.map((r) => r.id).sort((a, b) => a - b),
      JSON.stringify(criteria),
    ).toEqual(expected.sort((a, b) => a - b));
    if (outside !== undefined) expect(rows.map((r) => r.id)).not.toContain(outside);
  }
}

describe("segment criteria", () => {
  it("select exactly the passes an independent evaluation of the truth table does, only in the project", async () => {
    await expectTruthTable(server.credentials.accountId, projectId, tagSets, outsider);
  });
});

describe("segment criteria in an account with a single project", () => {
  it("select the same passes (the sets alone answer there)", async () => {
    const solo = await server.newAccount("solo");
    const as = { as: solo };
    const project = (await server.call("POST", "/v1/project", { ...as, body: { name: "Solo", projectType: "coupon" } }))
      .json.id;
    const template = (await server.call("POST", `/v1/template/${project}`, { ...as, body: appleTemplate })).json
      .templateId;
    const sets = new Map<number, string[]>();
    for (const tags of [[], ["A"], ["B"], ["A", "B"], ["A", "C"]]) {
      const pass = (await server.call("POST", `/v1/pass/${template}`, { ...as, body: {} })).json.id as number;
      if (tags.length) await server.call("PUT", `/v1/pass/${pass}/tags`, { ...as, body: { tags } });
      sets.set(pass, tags);
    }
    await expectTruthTable(solo.accountId, project, sets);
  });
});

describe("segments", () => {
  let segmentId: string;
  const criteria = { and: [{ tag: "A" }, { not: { tag: "B" } }] };
  const selected = () => [...tagSets].filter(([, tags]) => holds(criteria, tags)).map(([id]) => id);

  it("creates a segment as Airship answers it, reads it with its size, lists it", async () => {
    const created = await server.call("POST", `/v1/segments/${projectId}`, {
      body: { criteria, display_name: "A but not B" },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toEqual({
      ok: true,
      segmentId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      operationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    segmentId = created.json.segmentId;
    const read = await server.call("GET", `/v1/segments/${projectId}/${segmentId}?count=true`);
    expect(read.json).toMatchObject({ segmentId, display_name: "A but not B", criteria, passCount: selected().length });
    const list = await server.call("GET", `/v1/segments/${projectId}`);
    expect(list.json.count).toBe(1);
    expect(list.json.segments[0].segmentId).toBe(segmentId);
    expect((await server.call("GET", `/v1/segments/${otherProjectId}`)).json.count).toBe(0);
    expect((await server.call("GET", `/v1/segments/${otherProjectId}/${segmentId}`)).json.code).toBe(
      "SEGMENT_NOT_FOUND",
    );
  });

  it("names what is wrong with malformed criteria, and refuses unknown projects and segments", async () => {
    const refused = async (body: unknown, needle: RegExp) => {
      const answer = await server.call("POST", `/v1/segments/${projectId}`, { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(answer.json), JSON.stringify(body)).toMatch(needle);
    };
    await refused({}, /criteria is required/);
    await refused({ criteria: { tag: "" } }, /criteria\.tag/);
    await refused({ criteria: { and: [] } }, /criteria\.and: must be a non-empty array/);
    await refused({ criteria: { and: [{ tag: "A" }, { nor: 1 }] } }, /criteria\.and\[1\]/);
    await refused({ criteria: { tag: "A", not: { tag: "B" } } }, /exactly one/);
    await refused({ criteria: { or: [{ tag: "A" }, "B"] } }, /criteria\.or\[1\]/);
    let deep: Criteria = { tag: "A" };
    for (let i = 0; i < 10; i++) deep = { not: deep };
    await refused({ criteria: deep }, /deeper than 10/);
    await refused({ criteria: { or: Array.from({ length: 101 }, (_, i) => ({ tag: `t${i}` })) } }, /more than 100/);
    const many = { and: Array.from({ length: 60 }, (_, i) => ({ or: [{ tag: `a${i}` }, { tag: `b${i}` }] })) };
    await refused({ criteria: many }, /more than 100 tags/);
    // 100 branches of 8 nested negations once compiled to 800 scans of the project's passes.
    const negated = (tag: string) => {
      let node: Criteria = { tag };
      for (let i = 0; i < 8; i++) node = { not: node };
      return node;
    };
    await refused(
      { criteria: { or: Array.from({ length: 100 }, (_, i) => negated(`t${i}`)) } },
      /more than 200 selectors/,
    );
    await refused({ criteria: { tag: "A" }, display_name: 7 }, /display_name/);
    expect((await server.call("POST", "/v1/segments/999999", { body: { criteria: { tag: "A" } } })).status).toBe(404);
    expect((await server.call("GET", `/v1/segments/${projectId}/not-a-uuid`)).status).toBe(404);
    expect(
      (
        await server.call("PUT", `/v1/segments/${projectId}/00000000-0000-0000-0000-000000000000`, {
          body: { criteria },
        })
      ).status,
    ).toBe(404);
    expect((await server.call("GET", `/v1/segments/${projectId}`)).json.count).toBe(1);
  });

  it("updates every pass the segment selects, and only those", async () => {
    const answer = await server.call("PUT", `/v1/segments/${projectId}/${segmentId}/passes`, {
      body: { fields: { Coupon: { value: "55%" } } },
    });
    expect(answer.status, answer.text).toBe(200);
    const ticket = await until(
      async () => (await server.call("GET", `/v1/ticket/${answer.json.ticketId}`)).json,
      (t) => t.status === "done",
    );
    expect(ticket.status).toBe("done");
    for (const [id] of [...tagSets, [outsider, []] as const]) {
      const pass = (await server.call("GET", `/v1/pass/${id}`)).json;
      expect(pass.fields.Coupon.value, `pass ${id}`).toBe(selected().includes(id) ? "55%" : "20%");
    }
    const unknown = await server.call("PUT", `/v1/segments/${projectId}/${segmentId}/passes`, {
      body: { fields: { Nope: { value: "x" } } },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.error).toMatch(/Nope/);
  });

  it("shows and clears a notification on exactly the segment's passes", async () => {
    const shown = await server.call("POST", `/v1/segments/${projectId}/${segmentId}/notify`, {
      body: { value: "Flash sale", label: "Now" },
    });
    expect(shown.status, shown.text).toBe(200);
    await until(
      async () => (await server.call("GET", `/v1/ticket/${shown.json.ticketId}`)).json.status,
      (s) => s === "done",
    );
    for (const [id] of tagSets) {
      const pass = (await server.call("GET", `/v1/pass/${id}`)).json;
      expect(pass.fields.lastNotification?.value, `pass ${id}`).toBe(
        selected().includes(id) ? "Flash sale" : undefined,
      );
    }
    const cleared = await server.call("DELETE", `/v1/segments/${projectId}/${segmentId}/notify`);
    await until(
      async () => (await server.call("GET", `/v1/ticket/${cleared.json.ticketId}`)).json.status,
      (s) => s === "done",
    );
    for (const id of selected()) {
      expect((await server.call("GET", `/v1/pass/${id}`)).json.fields.lastNotification).toBeUndefined();
    }
    expect(
      (await server.call("POST", `/v1/segments/${projectId}/${segmentId}/notify`, { body: { value: "" } })).status,
    ).toBe(400);
  });

  it("replaces criteria and name, then deletes the criteria but never the passes", async () => {
    const updated = await server.call("PUT", `/v1/segments/${projectId}/${segmentId}`, {
      body: { criteria: { tag: "D" }, display_name: "D" },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json).toMatchObject({ ok: true, segmentId });
    const read = (await server.call("GET", `/v1/segments/${projectId}/${segmentId}?count=true`)).json;
    expect(read).toMatchObject({ criteria: { tag: "D" }, display_name: "D", passCount: 8 });
    const deleted = await server.call("DELETE", `/v1/segments/${projectId}/${segmentId}`);
    expect(deleted.status).toBe(204);
    expect((await server.call("GET", `/v1/segments/${projectId}/${segmentId}`)).status).toBe(404);
    expect((await server.call("DELETE", `/v1/segments/${projectId}/${segmentId}`)).status).toBe(404);
    for (const [id] of tagSets) expect((await server.call("GET", `/v1/pass/${id}`)).status).toBe(200);
  });
});
