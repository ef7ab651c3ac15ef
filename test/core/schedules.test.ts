// Schedules over real HTTP and Postgres, with an injected clock: the schedule's life (create with a time that
// names no zone as UTC, list those not yet run, get, replace, delete), bad input named, and the run itself — at
// the time, through an audience-update ticket, exactly once and exactly its audience, with three workers running
// and one of them restarted, late when the time passed while nothing ran, and recorded as such.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let projectId: number;
let tagged: number[];
let others: number[];
const clock = new ManualClock(Date.parse("2026-11-30T12:00:00Z"));
const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 19);

beforeAll(async () => {
  server = await startTestServer({ apple: testPki().setup, worker: true, clock });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Sched", projectType: "coupon" } })).json.id;
  const templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  const make = async (tags: string[]) => {
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    if (tags.length) await server.call("PUT", `/v1/pass/${pass.id}/tags`, { body: { tags } });
    return pass.id as number;
  };
  tagged = [await make(["TZ_ET"]), await make(["TZ_ET", "VIP"]), await make(["TZ_ET"])];
  others = [await make([]), await make(["TZ_PST"])];
});
afterAll(() => server?.close());

const body = (
  at: string,
  update: unknown = { audience: { tag: "TZ_ET" }, pass: { fields: { Coupon: { value: "$20 off" } } } },
) => ({
  name: "New offer",
  schedule: { scheduled_time: at },
  update,
});

describe("schedules", () => {
  let scheduleId: string;

  it("creates a schedule (a time without zone is UTC) and answers it with its id and url", async () => {
    const at = iso(clock.now() + HOUR);
    const created = await server.call("POST", `/v1/schedules/${projectId}`, { body: body(at) });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "New offer",
      schedule: { scheduled_time: at },
      update: { audience: { tag: "TZ_ET" }, pass: { fields: { Coupon: { value: "$20 off" } } } },
      state: "pending",
    });
    scheduleId = created.json.id;
    expect(created.json.url).toBe(`${server.baseUrl}/v1/schedules/${projectId}/${scheduleId}`);
    // A zone is honoured: 13:00+01:00 is 12:00 UTC.
    const zoned = await server.call("POST", `/v1/schedules/${projectId}`, {
      body: body("2026-12-24T19:00:00+01:00"),
    });
    expect(zoned.json.schedule.scheduled_time).toBe("2026-12-24T18:00:00");
    const list = (await server.call("GET", `/v1/schedules/${projectId}`)).json;
    expect(list).toMatchObject({ ok: true, count: 2 });
    expect(list.schedules.map((s: { id: string }) => s.id)).toEqual([scheduleId, zoned.json.id]);
    expect((await server.call("GET", zoned.json.url.replace(server.baseUrl, ""))).json.id).toBe(zoned.json.id);
    const deleted = await server.call("DELETE", `/v1/schedules/${projectId}/${zoned.json.id}`);
    expect(deleted.status).toBe(204);
    expect((await server.call("GET", `/v1/schedules/${projectId}/${zoned.json.id}`)).json.code).toBe(
      "SCHEDULE_NOT_FOUND",
    );
  });

  it("names what is wrong: past or missing time, unknown audience, unknown field, nothing to do", async () => {
    const refused = async (payload: unknown, status: number, needle: RegExp) => {
      const answer = await server.call("POST", `/v1/schedules/${projectId}`, { body: payload });
      expect(answer.status, JSON.stringify(payload)).toBe(status);
      expect(JSON.stringify(answer.json)).toMatch(needle);
    };
    const later = iso(clock.now() + HOUR);
    await refused(body(iso(clock.now() - 1000)), 400, /in the past/);
    await refused(body("next tuesday"), 400, /scheduled_time/);
    await refused({ schedule: { scheduled_time: later } }, 400, /update is required/);
    await refused(body(later, { audience: { tag: "TZ_ET" } }), 400, /pass values, a notification/);
    await refused(
      body(later, { audience: { planet: "x" }, pass: { fields: { Coupon: { value: "1" } } } }),
      400,
      /planet/,
    );
    await refused(body(later, { audience: { tag: "TZ_ET" }, pass: { fields: { Nope: { value: "1" } } } }), 400, /Nope/);
    await refused(
      body(later, { audience: { segment: "00000000-0000-0000-0000-000000000000" }, notification: { value: "x" } }),
      404,
      /SEGMENT_NOT_FOUND/,
    );
    await refused(body(later, { audience: { tag: "TZ_ET" }, notification: { value: "" } }), 400, /value/);
    expect((await server.call("POST", "/v1/schedules/99999", { body: body(later) })).status).toBe(404);
    expect((await server.call("GET", `/v1/schedules/${projectId}`)).json.count).toBe(1);
  });

  it("replaces a schedule that has not run", async () => {
    const replaced = await server.call("PUT", `/v1/schedules/${projectId}/${scheduleId}`, {
      body: { ...body(iso(clock.now() + 2 * HOUR)), name: "Better offer" },
    });
    expect(replaced.status, replaced.text).toBe(200);
    expect(replaced.json).toMatchObject({ id: scheduleId, name: "Better offer", state: "pending" });
  });

  it("runs once at its time with several workers, one restarted, updating exactly its audience, late and saying so", async () => {
    const versions = async (ids: number[]) =>
      Promise.all(
        ids.map(async (id) => {
          const pass = (await server.call("GET", `/v1/pass/${id}`)).json;
          const { rows } = await server.database.query("SELECT version FROM passes WHERE id = $1", [id]);
          return { ...pass, version: rows[0]!.version as number };
        }),
      );
    const before = await versions([...tagged, ...others]);
    const second = await server.startWorker();
    await server.startWorker();
    await second.stop();
    await server.startWorker();
    // Nothing runs before the time.
    await new Promise((r) => setTimeout(r, 400));
    expect((await server.call("GET", `/v1/schedules/${projectId}/${scheduleId}`)).json.state).toBe("pending");
    // The time passes while nothing looked (three hours on the clock): it runs now, late.
    clock.advance(3 * HOUR);
    const ran = await until(
      async () => (await server.call("GET", `/v1/schedules/${projectId}/${scheduleId}`)).json,
      (s) => s.state === "done",
    );
    expect(ran).toMatchObject({ state: "done", ticketId: expect.any(Number), lateBySeconds: 3600 });
    const ticket = await until(
      async () => (await server.call("GET", `/v1/ticket/${ran.ticketId}`)).json,
      (t) => t.status === "done",
    );
    expect(ticket.status).toBe("done");
    await new Promise((r) => setTimeout(r, 500));
    const after = await versions([...tagged, ...others]);
    after.forEach((pass, i) => {
      const isTagged = i < tagged.length;
      expect(pass.fields.Coupon.value, `pass ${pass.id}`).toBe(isTagged ? "$20 off" : "20%");
      expect(pass.version, `pass ${pass.id}`).toBe(before[i].version + (isTagged ? 1 : 0));
    });
    const { rows } = await server.database.query(
      "SELECT count(*)::int AS n FROM tickets WHERE payload->>'scheduleId' = $1",
      [scheduleId],
    );
    expect(rows[0]!.n).toBe(1);
    expect((await server.call("GET", `/v1/schedules/${projectId}`)).json.count).toBe(0);
    const again = await server.call("PUT", `/v1/schedules/${projectId}/${scheduleId}`, {
      body: body(iso(clock.now() + HOUR)),
    });
    expect(again.status).toBe(409);
    expect(again.json.code).toBe("SCHEDULE_ALREADY_RAN");
  });

  it("carries a notification to a segment's passes", async () => {
    const segment = (await server.call("POST", `/v1/segments/${projectId}`, { body: { criteria: { tag: "VIP" } } }))
      .json.segmentId;
    const created = await server.call("POST", `/v1/schedules/${projectId}`, {
      body: body(iso(clock.now() + 60_000), { audience: { segment }, notification: { value: "VIP night" } }),
    });
    expect(created.status, created.text).toBe(200);
    clock.advance(61_000);
    await until(
      async () => (await server.call("GET", `/v1/schedules/${projectId}/${created.json.id}`)).json.state,
      (s) => s === "done",
    );
    const vip = await until(
      async () => (await server.call("GET", `/v1/pass/${tagged[1]}`)).json,
      (p) => p.fields.lastNotification?.value === "VIP night",
    );
    expect(vip.fields.lastNotification.value).toBe("VIP night");
    expect((await server.call("GET", `/v1/pass/${tagged[0]}`)).json.fields.lastNotification).toBeUndefined();
  });
});
