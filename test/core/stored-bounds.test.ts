// The bounds of what is stored and answered: a schedule's field objects keep no unknown keys (30 schedules carrying
// a 4.5 MB junk key each once made one list request exhaust the heap, on every restart), a stored schedule update,
// template design and pass's values each have a size limit, and the schedule list is paged, so a response holds at
// most a page of maximum-sized schedules.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let projectId: number;
const FIELDS = Array.from({ length: 8 }, (_, i) => `F${i}`);
const MAX_UPDATE_BYTES = 64 * 1024;

beforeAll(async () => {
  server = await startTestServer({ bodyLimitBytes: 6 * 1024 * 1024 });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Bounds", projectType: "coupon" } })).json.id;
  const template = await server.call("POST", `/v1/template/${projectId}`, {
    body: {
      name: "Wide",
      vendor: "Apple",
      type: "Store Card",
      fields: Object.fromEntries(FIELDS.map((f) => [f, { fieldType: "back", label: f, value: "" }])),
    },
  });
  expect(template.status, template.text).toBe(200);
  const pass = (await server.call("POST", `/v1/pass/${template.json.templateId}`, { body: {} })).json.id;
  await server.call("PUT", `/v1/pass/${pass}/tags`, { body: { tags: ["all"] } });
}, 60_000);
afterAll(() => server?.close());

const schedule = (fields: Record<string, unknown>) => ({
  name: "bounded",
  schedule: { scheduled_time: "2030-01-01T00:00:00" },
  update: { audience: { tag: "all" }, pass: { fields } },
});

const storedBytes = async () =>
  Number(
    (
      await server.database.query<{ n: string }>(
        "SELECT COALESCE(sum(octet_length(update::text)), 0) AS n FROM schedules",
      )
    ).rows[0]!.n,
  );

describe("schedules stay bounded", () => {
  it("stores no unknown key of a field object: 30 schedules with a 4.5 MB junk key each keep a few hundred bytes each", async () => {
    const junk = "x".repeat(4_500_000);
    for (let i = 0; i < 30; i++) {
      const created = await server.call("POST", `/v1/schedules/${projectId}`, {
        body: schedule({ F0: { value: `v${i}`, label: "Label", junk } }),
      });
      expect(created.status, created.text.slice(0, 200)).toBe(200);
      expect(JSON.stringify(created.json)).not.toContain("xxxx");
    }
    expect(await storedBytes()).toBeLessThan(30 * 1024);
    const listed = await server.call("GET", `/v1/schedules/${projectId}`);
    expect(listed.status).toBe(200);
    expect(listed.json).toMatchObject({ ok: true, count: 30, total_count: 30 });
    expect(listed.json.schedules[0].update.pass.fields.F0).toEqual({
      value: expect.stringMatching(/^v/),
      label: "Label",
    });
    expect(listed.text.length).toBeLessThan(30 * 1024);
  }, 120_000);

  it(`refuses an update of more than ${MAX_UPDATE_BYTES} bytes with a 400 naming the limit`, async () => {
    const before = await storedBytes();
    const big = Object.fromEntries(FIELDS.map((f) => [f, { value: "y".repeat(10_000) }]));
    const refused = await server.call("POST", `/v1/schedules/${projectId}`, { body: schedule(big) });
    expect(refused.status).toBe(400);
    expect(refused.json.code).toBe("VALIDATION_FAILED");
    expect(refused.json.details[0]).toMatch(/a schedule keeps at most 65536/);
    expect(await storedBytes()).toBe(before);
  });

  it("pages the list: 100 maximum-sized schedules a page at most, with next_page", async () => {
    await server.database.query("DELETE FROM schedules");
    // Each just under the limit: six values of 10,000 characters.
    const wide = Object.fromEntries(FIELDS.slice(0, 6).map((f) => [f, { value: "z".repeat(10_000) }]));
    for (let i = 0; i < 101; i++) {
      const created = await server.call("POST", `/v1/schedules/${projectId}`, { body: schedule(wide) });
      expect(created.status, created.text.slice(0, 200)).toBe(200);
    }
    const first = await server.call("GET", `/v1/schedules/${projectId}`);
    expect(first.json).toMatchObject({ count: 100, total_count: 101 });
    expect(first.text.length).toBeLessThan(100 * MAX_UPDATE_BYTES * 1.2);
    expect(first.json.next_page).toBe(`${server.baseUrl}/v1/schedules/${projectId}?start=100&limit=100`);
    const second = await server.call("GET", first.json.next_page.slice(server.baseUrl.length));
    expect(second.json).toMatchObject({ count: 1, total_count: 101 });
    expect(second.json.next_page).toBeUndefined();
    const ids = new Set([...first.json.schedules, ...second.json.schedules].map((s: { id: string }) => s.id));
    expect(ids.size).toBe(101);
    const small = await server.call("GET", `/v1/schedules/${projectId}?limit=10&start=95`);
    expect(small.json).toMatchObject({ count: 6, total_count: 101 });
    expect((await server.call("GET", `/v1/schedules/${projectId}?limit=101`)).status).toBe(400);
  }, 120_000);
});

describe("templates and passes stay bounded", () => {
  const wide = (n: number, value: string) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`W${i}`, { fieldType: "back", label: `W${i}`, value }]));

  it("refuses a template design of more than 1 MiB of JSON, naming the limit", async () => {
    const refused = await server.call("POST", `/v1/template/${projectId}`, {
      body: { name: "huge", vendor: "Apple", type: "Store Card", fields: wide(120, "v".repeat(9000)) },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.details[0]).toMatch(/at most 1048576 are kept/);
  });

  it("refuses pass values of more than 1 MiB of JSON, and keeps the pass as it was", async () => {
    const template = await server.call("POST", `/v1/template/${projectId}`, {
      body: { name: "wide", vendor: "Apple", type: "Store Card", fields: wide(120, "") },
    });
    expect(template.status, template.text.slice(0, 200)).toBe(200);
    const pass = (await server.call("POST", `/v1/pass/${template.json.templateId}`, { body: {} })).json;
    const values = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`W${i}`, { value: "p".repeat(9000) }]));
    const refused = await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: values(120) } });
    expect(refused.status).toBe(400);
    expect(refused.json.details[0]).toMatch(/the pass's own values is \d+ bytes of JSON/);
    expect((await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: values(100) } })).status).toBe(200);
  });
});
