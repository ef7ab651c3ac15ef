// The two reads the console's pass and operations pages needed that the API lacked: a pass's history from the
// pass-event log (GET /v1/pass/{id}/history), and a project's deliveries with the replay of its dead letters
// (GET /v1/project/{id}/deliveries, POST …/deliveries/replay), over real HTTP to a real callback receiver.
// biome-ignore-all lint/suspicious/noExplicitAny: deliveries are read loosely from JSON and asserted on.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Receiver } from "../fakes/receiver.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";
import { appleDevice } from "../helpers/wallets.js";

let server: TestServer;
let pki: TestPki;
let receiver: Receiver;
let projectId: number;
let templateId: number;

beforeAll(async () => {
  pki = testPki();
  receiver = new Receiver();
  await receiver.start();
  server = await startTestServer({ apple: pki.setup, worker: true, deliveryRetryBaseMs: 100 });
  projectId = (await server.call("POST", "/v1/project/id/ops", { body: { name: "Ops", projectType: "loyalty" } })).json
    .id;
  templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
});

describe("a pass's history", () => {
  it("lists its events newest first, with the device of an install, a page at a time", async () => {
    const pass = (await server.call("POST", `/v1/pass/${templateId}/id/hist-1`, { body: {} })).json;
    await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: { Points: { value: "5" } } } });
    await server.call("POST", `/v1/pass/${pass.id}/notify`, { body: { value: "Hello" } });
    await appleDevice(server, pass.id, "device-h1", "POST");
    const all = await server.call("GET", `/v1/pass/${pass.id}/history`);
    expect(all.status).toBe(200);
    const kinds = all.json.events.map((e: { kind: string }) => e.kind);
    expect(kinds[0]).toBe("installed");
    expect(kinds.at(-1)).toBe("created");
    expect(kinds).toContain("notified");
    expect(kinds).toContain("updated");
    expect(all.json.events[0]).toMatchObject({ platform: "ios", deviceLibraryIdentifier: "device-h1" });
    expect(all.json.next).toBeUndefined();

    const first = await server.call("GET", `/v1/pass/id/hist-1/history?limit=2`);
    expect(first.json.events).toEqual(all.json.events.slice(0, 2));
    const second = await server.call("GET", `/v1/pass/${pass.id}/history?limit=2&before=${first.json.next}`);
    expect(second.json.events).toEqual(all.json.events.slice(2, 4));
    const byTemplate = await server.call("GET", `/v1/pass/template/${templateId}/id/hist-1/history`);
    expect(byTemplate.json.events).toEqual(all.json.events);
  });

  it("answers 404 for another account's pass and 400 for a bad page", async () => {
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    const stranger = await server.newAccount("stranger");
    expect((await server.call("GET", `/v1/pass/${pass.id}/history`, { as: stranger })).json.code).toBe(
      "PASS_NOT_FOUND",
    );
    expect((await server.call("GET", `/v1/pass/${pass.id}/history?limit=0`)).status).toBe(400);
    expect((await server.call("GET", `/v1/pass/${pass.id}/history?limit=201`)).status).toBe(400);
    expect((await server.call("GET", `/v1/pass/${pass.id}/history?before=x`)).status).toBe(400);
  });
});

describe("a project's deliveries", () => {
  it("lists dead letters and replays them (one, then all), reaching the receiver once it answers", async () => {
    let refusing = true;
    receiver.answers = () => (refusing ? 400 : 200);
    const set = await server.call("POST", `/v1/project/${projectId}/settings/callback`, {
      body: { baseUrl: `${receiver.url}/crm` },
    });
    expect(set.status).toBe(200);
    const a = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    const b = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    await appleDevice(server, a.id, "device-d1", "POST");
    await appleDevice(server, b.id, "device-d2", "POST");
    const dead = await until(
      async () => (await server.call("GET", `/v1/project/${projectId}/deliveries`)).json.deliveries,
      (list: any[]) => list.length >= 2,
    );
    expect(dead).toHaveLength(2);
    expect(dead[0]).toMatchObject({
      receiver: "callback",
      topic: "pass.install",
      state: "dead",
      attempts: 1,
      lastStatus: 400,
      url: `${receiver.url}/crm/v1/pass/install`,
    });
    expect(Number(dead[0].id)).toBeGreaterThan(Number(dead[1].id));

    // Another account sees nothing of it; a page of one pages on.
    const stranger = await server.newAccount("stranger 2");
    expect((await server.call("GET", `/v1/project/${projectId}/deliveries`, { as: stranger })).json.code).toBe(
      "PROJECT_NOT_FOUND",
    );
    const page = await server.call("GET", `/v1/project/id/ops/deliveries?limit=1`);
    expect(page.json.deliveries.map((d: { id: string }) => d.id)).toEqual([dead[0].id]);
    expect(page.json.next).toBe(dead[0].id);

    refusing = false;
    const one = await server.call("POST", `/v1/project/${projectId}/deliveries/replay`, {
      body: { ids: [dead[1].id] },
    });
    expect(one.json).toEqual({ projectId, replayed: [dead[1].id] });
    await until(
      async () => (await server.call("GET", `/v1/project/${projectId}/deliveries?state=delivered`)).json.deliveries,
      (list: any[]) => list.length === 1,
    );
    const rest = await server.call("POST", `/v1/project/${projectId}/deliveries/replay`, { body: { all: true } });
    expect(rest.json.replayed).toEqual([dead[0].id]);
    const delivered = await until(
      async () => (await server.call("GET", `/v1/project/${projectId}/deliveries?state=delivered`)).json.deliveries,
      (list: any[]) => list.length === 2,
    );
    expect(delivered.every((d: { lastStatus: number }) => d.lastStatus === 200)).toBe(true);
    expect((await server.call("GET", `/v1/project/${projectId}/deliveries`)).json.deliveries).toEqual([]);
    // The receiver got each install once refused and once accepted, with the same event id.
    const installs = receiver.received.filter((r) => r.path === "/crm/v1/pass/install");
    expect(installs).toHaveLength(4);
    expect(new Set(installs.map((r) => r.headers["x-wallet-event-id"])).size).toBe(2);
  });

  it("refuses a replay naming nothing, or ids that are not ids", async () => {
    const none = await server.call("POST", `/v1/project/${projectId}/deliveries/replay`, { body: {} });
    expect(none.status).toBe(400);
    expect(none.json.code).toBe("VALIDATION_FAILED");
    expect(
      (await server.call("POST", `/v1/project/${projectId}/deliveries/replay`, { body: { ids: ["x"] } })).status,
    ).toBe(400);
    expect((await server.call("GET", `/v1/project/${projectId}/deliveries?state=lost`)).status).toBe(400);
  });
});
