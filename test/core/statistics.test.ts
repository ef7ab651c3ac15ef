// Statistics over real HTTP and Postgres after real installs and uninstalls on both platforms (Apple device
// registrations through the PassKit web service, Google save and delete callbacks): the counters of a pass
// external id, a template and a project, and daily activity per platform over a date range.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FakeGoogle } from "../fakes/google.js";
import type { Ecv2Signer } from "../fakes/google-callback-signer.js";
import { appleTemplate, googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";
import { appleDevice, googleCallback, googleWithCallbacks } from "../helpers/wallets.js";

let server: TestServer;
let google: FakeGoogle;
let signer: Ecv2Signer;
let projectId: number;
let appleId: number;
let googleId: number;
/** The installed Apple pass member-1, and the one installed then removed. */
let installedId: number;
let removedId: number;
const today = new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  let options: Awaited<ReturnType<typeof googleWithCallbacks>>["options"];
  ({ google, signer, options } = await googleWithCallbacks());
  server = await startTestServer({
    apple: testPki().setup,
    worker: true,
    google: options,
  });
  projectId = (await server.call("POST", "/v1/project/id/stats-1", { body: { name: "Stats", projectType: "loyalty" } }))
    .json.id;
  appleId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  googleId = (await server.call("POST", `/v1/template/${projectId}/id/stats-google`, { body: googleTemplate })).json
    .templateId;
  // Apple: member-1 installed on two phones; a second pass installed then removed; a third never installed.
  const a1 = (await server.call("POST", `/v1/pass/${appleId}/id/member-1`, { body: {} })).json;
  installedId = a1.id;
  await appleDevice(server, a1.id, "phone-1", "POST");
  await appleDevice(server, a1.id, "phone-2", "POST");
  const a2 = (await server.call("POST", `/v1/pass/${appleId}`, { body: {} })).json;
  removedId = a2.id;
  await appleDevice(server, a2.id, "phone-3", "POST");
  await appleDevice(server, a2.id, "phone-3", "DELETE");
  await server.call("POST", `/v1/pass/${appleId}`, { body: {} });
  // Google: member-1 saved; another saved, deleted, saved and deleted again.
  const g1 = (await server.call("POST", `/v1/pass/${googleId}/id/member-1`, { body: {} })).json;
  await googleCallback(server, signer, google.issuerId, `${google.issuerId}.${g1.serialNumber}`, "save", "s-1");
  const g2 = (await server.call("POST", `/v1/pass/${googleId}`, { body: {} })).json;
  const object = `${google.issuerId}.${g2.serialNumber}`;
  await googleCallback(server, signer, google.issuerId, object, "save", "s-2");
  await googleCallback(server, signer, google.issuerId, object, "del", "d-2");
  await googleCallback(server, signer, google.issuerId, object, "save", "s-3");
  await googleCallback(server, signer, google.issuerId, object, "del", "d-3");
});
afterAll(async () => {
  await server?.close();
  await google?.close();
});

describe("stats", () => {
  it("counts the passes of an external id per template, as Airship answers it", async () => {
    const stats = await server.call("GET", "/v1/pass/id/member-1/stats");
    expect(stats.status, stats.text).toBe(200);
    expect(stats.json).toEqual({
      total: 2,
      installed: 2,
      uninstalled: 0,
      templates: [
        { id: appleId, total: 1, installed: 1, uninstalled: 0 },
        { id: googleId, total: 1, installed: 1, uninstalled: 0 },
      ],
    });
    expect((await server.call("GET", "/v1/pass/id/nobody/stats")).json.code).toBe("PASS_NOT_FOUND");
  });

  it("counts a template's and a project's passes by install state (repeats count once)", async () => {
    expect((await server.call("GET", `/v1/template/${appleId}/stats`)).json).toMatchObject({
      total: 3,
      installed: 1,
      uninstalled: 1,
    });
    expect((await server.call("GET", `/v1/template/${googleId}/stats`)).json).toMatchObject({
      total: 2,
      installed: 1,
      uninstalled: 1,
    });
    const project = (await server.call("GET", "/v1/project/id/stats-1/stats")).json;
    expect(project).toMatchObject({ total: 5, installed: 2, uninstalled: 2 });
    expect(project.templates.map((t: { id: number }) => t.id)).toEqual([appleId, googleId]);
    expect((await server.call("GET", "/v1/project/99999/stats")).status).toBe(404);
    // One pass, by id; a template by its external id.
    expect((await server.call("GET", `/v1/pass/${installedId}/stats`)).json).toEqual({
      total: 1,
      installed: 1,
      uninstalled: 0,
      templates: [{ id: appleId, total: 1, installed: 1, uninstalled: 0 }],
    });
    expect((await server.call("GET", `/v1/pass/${removedId}/stats`)).json).toMatchObject({
      installed: 0,
      uninstalled: 1,
    });
    expect((await server.call("GET", "/v1/pass/99999999/stats")).json.code).toBe("PASS_NOT_FOUND");
    expect((await server.call("GET", "/v1/template/id/stats-google/stats")).json).toMatchObject({
      total: 2,
      templates: [{ id: googleId }],
    });
  });
});

describe("activity", () => {
  it("reports each day's created, installed and uninstalled events, repeats included, per platform", async () => {
    const expected = {
      created: 5,
      installed: 5,
      uninstalled: 3,
      ios: { created: 3, installed: 2, uninstalled: 1 },
      android: { created: 2, installed: 3, uninstalled: 2 },
    };
    const report = await until(
      async () => (await server.call("GET", `/v1/project/${projectId}/activity`)).json,
      (r) => r.totals?.uninstalled === 3 && r.totals?.installed === 5,
    );
    expect(report).toMatchObject({ projectId, end: today });
    expect(report.totals).toEqual(expected);
    expect(report.activity).toEqual([{ date: today, ...expected }]);
    // Each event counted once: later rounds add nothing.
    await new Promise((r) => setTimeout(r, 500));
    expect((await server.call("GET", `/v1/project/${projectId}/activity`)).json.totals).toEqual(expected);
    const ranged = await server.call("GET", `/v1/template/${googleId}/activity/${today}/${today}`);
    expect(ranged.json).toMatchObject({ templateId: googleId, start: today, end: today });
    expect(ranged.json.totals).toMatchObject({ created: 2, installed: 3, uninstalled: 2 });
    const before = await server.call("GET", `/v1/project/${projectId}/activity?start=2020-01-01&end=2020-01-31`);
    expect(before.json).toMatchObject({ activity: [], totals: { created: 0 } });
  });

  it("refuses dates it cannot use", async () => {
    for (const path of [
      `/v1/project/${projectId}/activity/2026-13-01/2026-12-01`,
      `/v1/project/${projectId}/activity/2026-02-30/2026-03-01`,
      `/v1/project/${projectId}/activity/2026-12-01/2026-11-01`,
      `/v1/project/${projectId}/activity/2020-01-01/2026-01-01`,
      `/v1/template/${appleId}/activity?start=yesterday`,
    ]) {
      const answer = await server.call("GET", path);
      expect(answer.status, path).toBe(400);
      expect(answer.json.code, path).toBe("VALIDATION_FAILED");
    }
  });
});
