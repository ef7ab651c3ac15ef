// Project callbacks over real HTTP to a real receiver on loopback: the configuration (headers sealed, masked on
// read, bounded), install/uninstall/personalize deliveries with the documented bodies and headers, retries of a
// 503 with the same event id, dead letters listed and replayed through the CLI, private targets refused.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryQueue } from "../../src/deliveries/delivery-store.js";
import type { FakeGoogle } from "../fakes/google.js";
import type { Ecv2Signer } from "../fakes/google-callback-signer.js";
import { Receiver } from "../fakes/receiver.js";
import { appleMemberTemplate, appleTemplate, googleTemplate } from "../fixtures/reference.js";
import { startTestServer, TEST_WALLET_ENCRYPTION_KEY, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";
import { appleDevice, googleCallback, googleWithCallbacks } from "../helpers/wallets.js";

let server: TestServer;
let pki: TestPki;
let receiver: Receiver;
let projectId: number;
let templateId: number;
let google: FakeGoogle;
let signer: Ecv2Signer;

beforeAll(async () => {
  pki = testPki();
  receiver = new Receiver();
  await receiver.start();
  let options: Awaited<ReturnType<typeof googleWithCallbacks>>["options"];
  ({ google, signer, options } = await googleWithCallbacks());
  server = await startTestServer({
    apple: pki.setup,
    worker: true,
    deliveryRetryBaseMs: 100,
    google: options,
  });
  projectId = (await server.call("POST", "/v1/project/id/crm-1", { body: { name: "CRM", projectType: "loyalty" } }))
    .json.id;
  templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await google?.close();
});

const SECRET = "Bearer s3cret-token-0042";

describe("the callback setting", () => {
  it("answers 404 before one is set, echoes it in full once, then shows header values masked", async () => {
    expect((await server.call("GET", `/v1/project/${projectId}/settings/callback`)).json.code).toBe(
      "CALLBACK_NOT_FOUND",
    );
    const set = await server.call("POST", `/v1/project/${projectId}/settings/callback`, {
      body: { baseUrl: `${receiver.url}/hooks/`, headers: { Authorization: SECRET, "X-Crm": "wallet" } },
    });
    expect(set.status, set.text).toBe(200);
    expect(set.json).toMatchObject({
      projectId,
      baseUrl: `${receiver.url}/hooks`,
      headers: { Authorization: SECRET, "X-Crm": "wallet" },
    });
    const read = await server.call("GET", "/v1/project/id/crm-1/settings/callback");
    expect(read.json.headers).toEqual({ Authorization: "****0042", "X-Crm": "****" });
    expect(read.text).not.toContain("s3cret");
    // Sealed at rest: the stored bytes do not carry the token.
    const { rows } = await server.database.query("SELECT headers_sealed FROM project_callbacks WHERE project_id = $1", [
      projectId,
    ]);
    expect(Buffer.from(rows[0]?.headers_sealed ?? []).toString("latin1")).not.toContain("s3cret");
  });

  it("refuses private targets, plain http, reserved and oversized headers, and unknown projects", async () => {
    const post = (body: unknown, path = `/v1/project/${projectId}/settings/callback`) =>
      server.call("POST", path, { body });
    for (const baseUrl of ["http://10.0.0.7/hooks", "https://169.254.169.254/latest", "https://[::1]/x", "ftp://a.b"]) {
      const answer = await post({ baseUrl });
      expect(answer.status, baseUrl).toBe(400);
      expect(answer.json.code, baseUrl).toMatch(/CALLBACK_TARGET_REFUSED|VALIDATION_FAILED/);
    }
    expect((await post({ baseUrl: "https://crm.example/hooks", headers: { Host: "evil" } })).status).toBe(400);
    expect((await post({ baseUrl: "https://crm.example/x", headers: { "content-length": "1" } })).status).toBe(400);
    expect((await post({ baseUrl: "https://crm.example/x", headers: { A: "x".repeat(5000) } })).status).toBe(400);
    const many = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`X-H${i}`, "v"]));
    expect((await post({ baseUrl: "https://crm.example/x", headers: many })).status).toBe(400);
    expect((await post({ baseUrl: "https://crm.example/x", headers: { "X-A": 7 } })).status).toBe(400);
    expect((await post({}, "/v1/project/99999999/settings/callback")).status).toBe(400);
    expect((await post({ baseUrl: `${receiver.url}/h` }, "/v1/project/99999999/settings/callback")).status).toBe(404);
    // A name that does not resolve (yet) is accepted: each delivery checks it again.
    const other = (await server.call("POST", "/v1/project", { body: { name: "Later", projectType: "loyalty" } })).json;
    const later = await post({ baseUrl: "https://hooks.invalid/crm" }, `/v1/project/${other.id}/settings/callback`);
    expect(later.status, later.text).toBe(200);
    // Nothing was replaced by the refusals.
    expect((await server.call("GET", `/v1/project/${projectId}/settings/callback`)).json.baseUrl).toBe(
      `${receiver.url}/hooks`,
    );
  });
});

describe("deliveries", () => {
  it("POSTs install and uninstall with the documented body, the configured headers and an event id", async () => {
    const pass = (await server.call("POST", `/v1/pass/${templateId}/id/member-7`, { body: {} })).json;
    await appleDevice(server, pass.id, "device-a", "POST");
    const install = await until(
      () => receiver.received.find((r) => r.path === "/hooks/v1/pass/install" && r.body.passId === pass.id),
      Boolean,
    );
    if (!install) throw new Error("no install callback arrived");
    expect(install.headers.authorization).toBe(SECRET);
    expect(install.headers["x-crm"]).toBe("wallet");
    expect(install.headers["content-type"]).toBe("application/json");
    expect(install.headers["x-wallet-event-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(install.body).toEqual({
      passId: pass.id,
      templateId,
      serialNumber: pass.serialNumber,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      updatedAt: expect.stringMatching(/Z$/),
      externalId: "member-7",
      platform: "ios",
    });
    // A second device is not a new install; removing both is one uninstall.
    await appleDevice(server, pass.id, "device-b", "POST");
    await appleDevice(server, pass.id, "device-a", "DELETE");
    await appleDevice(server, pass.id, "device-b", "DELETE");
    const uninstall = await until(
      () => receiver.received.filter((r) => r.path === "/hooks/v1/pass/uninstall" && r.body.passId === pass.id),
      (found) => found.length >= 1,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(
      receiver.received.filter((r) => r.path === "/hooks/v1/pass/install" && r.body.passId === pass.id),
    ).toHaveLength(1);
    expect(uninstall).toHaveLength(1);
    expect(uninstall[0]!.body).toMatchObject({ passId: pass.id, platform: "ios", externalId: "member-7" });
  });

  it("POSTs install and uninstall for Google's save and delete callbacks", async () => {
    const googleId = (await server.call("POST", `/v1/template/${projectId}`, { body: googleTemplate })).json.templateId;
    const pass = (await server.call("POST", `/v1/pass/${googleId}`, { body: {} })).json;
    const objectId = `${google.issuerId}.${pass.serialNumber}`;
    await googleCallback(server, signer, google.issuerId, objectId, "save", "cb-save-1");
    await googleCallback(server, signer, google.issuerId, objectId, "del", "cb-del-1");
    const arrived = await until(
      () => receiver.received.filter((r) => r.body.passId === pass.id),
      (found) => found.length >= 2,
    );
    expect(arrived.map((r) => [r.path, r.body.platform]).sort()).toEqual([
      ["/hooks/v1/pass/install", "android"],
      ["/hooks/v1/pass/uninstall", "android"],
    ]);
  });

  it("POSTs personalize with the holder's information", async () => {
    const personal = (await server.call("POST", `/v1/template/${projectId}`, { body: appleMemberTemplate })).json
      .templateId;
    await server.call("POST", `/v1/template/${personal}/personalization`, {
      body: { requiredPersonalizationFields: ["name"], description: "Join" },
    });
    const pass = (await server.call("POST", `/v1/pass/${personal}`, { body: {} })).json;
    const json = (await server.call("GET", `/v1/pass/${pass.id}/viewJSONPass`)).json;
    const signed = await fetch(
      `${server.baseUrl}/apple/v1/passes/${json.passTypeIdentifier}/${json.serialNumber}/personalize`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ personalizationToken: "abc123", requiredPersonalizationInfo: { fullName: "Ada L" } }),
      },
    );
    expect(signed.status).toBe(200);
    const personalize = await until(
      () => receiver.received.find((r) => r.path === `/hooks/v1/pass/${pass.id}/personalize`),
      Boolean,
    );
    expect(personalize?.body).toMatchObject({
      passId: pass.id,
      templateId: personal,
      serialNumber: json.serialNumber,
      personalizationInfo: { fullName: "Ada L" },
    });
  });

  it("retries a 503 with the same event id until the receiver takes it", async () => {
    const earlier = receiver.received.filter((r) => r.path.endsWith("/install")).length;
    receiver.answers = (path, count) => (path.endsWith("/install") && count <= earlier + 2 ? 503 : 200);
    const before = receiver.received.length;
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    await appleDevice(server, pass.id, "device-retry", "POST");
    const attempts = await until(
      () => receiver.received.slice(before).filter((r) => r.body.passId === pass.id),
      (found) => found.length >= 3,
    );
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers["x-wallet-event-id"])).size).toBe(1);
    const { rows } = await server.database.query(
      "SELECT state, attempts, last_status FROM deliveries WHERE (body->>'passId')::int = $1",
      [pass.id],
    );
    await until(
      async () =>
        (await server.database.query("SELECT state FROM deliveries WHERE (body->>'passId')::int = $1", [pass.id]))
          .rows[0]?.state,
      (state) => state === "delivered",
    );
    expect(rows).toHaveLength(1);
    receiver.answers = () => 200;
  });

  it("sends a retry to the callback's current URL with its current headers: a new secret never reaches the old URL", async () => {
    const moving = (
      await server.call("POST", "/v1/project/id/crm-moving", { body: { name: "Moving CRM", projectType: "loyalty" } })
    ).json.id;
    const template = (await server.call("POST", `/v1/template/${moving}`, { body: appleTemplate })).json.templateId;
    const configure = async (base: string, token: string) =>
      expect(
        (
          await server.call("POST", `/v1/project/${moving}/settings/callback`, {
            body: { baseUrl: `${receiver.url}${base}`, headers: { Authorization: `Bearer ${token}` } },
          })
        ).status,
      ).toBe(200);
    await configure("/old-crm", "OLD");
    // The old target is down for a while: its answer asks for the retry two seconds later.
    receiver.answers = (path) => (path.startsWith("/old-crm") ? { status: 503, headers: { "retry-after": "2" } } : 200);
    const before = receiver.received.length;
    const pass = (await server.call("POST", `/v1/pass/${template}`, { body: {} })).json;
    await appleDevice(server, pass.id, "device-moving", "POST");
    const ofPass = () => receiver.received.slice(before).filter((r) => r.body.passId === pass.id);
    await until(ofPass, (found) => found.length >= 1);
    // The CRM moves, with a new secret, while the install waits for its retry.
    await configure("/new-crm", "NEW");
    const attempts = await until(ofPass, (found) => found.some((r) => r.path.startsWith("/new-crm")));
    const atNew = attempts.filter((r) => r.path.startsWith("/new-crm"));
    const atOld = attempts.filter((r) => r.path.startsWith("/old-crm"));
    expect(atNew.map((r) => [r.path, r.headers.authorization])).toEqual([["/new-crm/v1/pass/install", "Bearer NEW"]]);
    expect(atOld.length).toBeGreaterThanOrEqual(1);
    expect(atOld.every((r) => r.headers.authorization === "Bearer OLD")).toBe(true);
    expect(new Set(attempts.map((r) => r.headers["x-wallet-event-id"])).size).toBe(1);
    receiver.answers = () => 200;
  });

  it("dead-letters an answer retrying cannot change, lists it and replays it from the CLI", async () => {
    receiver.answers = () => 400;
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    await appleDevice(server, pass.id, "device-dead", "POST");
    const dead = await until(
      async () =>
        (
          await server.database.query("SELECT id::text, state FROM deliveries WHERE (body->>'passId')::int = $1", [
            pass.id,
          ])
        ).rows[0],
      (row) => row?.state === "dead",
    );
    if (!dead) throw new Error("no dead letter");
    const cli = (...args: string[]) =>
      promisify(execFile)("npx", ["tsx", "src/cli.ts", ...args], {
        env: { ...process.env, DATABASE_URL: server.database.url, WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY },
      });
    const listed = (await cli("deliveries", "list")).stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(listed).toContainEqual(expect.objectContaining({ id: dead.id, state: "dead", lastStatus: 400 }));
    expect(JSON.stringify(listed)).not.toContain("s3cret");
    receiver.answers = () => 200;
    const before = receiver.received.length;
    expect(JSON.parse((await cli("deliveries", "replay", dead.id)).stdout)).toEqual({ replayed: [dead.id] });
    const replayed = await until(() => receiver.received.slice(before).find((r) => r.body.passId === pass.id), Boolean);
    expect(replayed?.path).toBe("/hooks/v1/pass/install");
  });

  it("refuses at delivery a target that is no longer allowed, and stops when the callback is removed", async () => {
    await server.database.query("UPDATE project_callbacks SET base_url = 'https://127.0.0.2:1' WHERE project_id = $1", [
      projectId,
    ]);
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    await appleDevice(server, pass.id, "device-private", "POST");
    const row = await until(
      async () =>
        (
          await server.database.query(
            "SELECT attempts, last_error, state FROM deliveries WHERE (body->>'passId')::int = $1",
            [pass.id],
          )
        ).rows[0],
      (r) => (r?.attempts ?? 0) >= 1 && r?.last_error !== null,
    );
    expect(row?.last_error).toMatch(/^address/);
    expect((await server.call("DELETE", `/v1/project/${projectId}/settings/callback`)).json).toEqual({
      projectId,
      deleted: true,
    });
    expect((await server.call("GET", `/v1/project/${projectId}/settings/callback`)).status).toBe(404);
  });

  it("prunes delivered rows after their retention and keeps dead letters", async () => {
    const { rows } = await server.database.query<{ state: string; n: number }>(
      "SELECT state, count(*)::int AS n FROM deliveries GROUP BY state",
    );
    const before = Object.fromEntries(rows.map((r) => [r.state, r.n]));
    // An old dead letter: kept however old it is, until someone replays it.
    await server.database.query(
      `INSERT INTO deliveries (account_id, topic, url, body, state, give_up_at, finished_at)
       VALUES ($1, 'pass.install', 'https://crm.invalid/v1/pass/install', '{}', 'dead', now(), now() - interval '90 days')`,
      [server.credentials.accountId],
    );
    before.dead = (before.dead ?? 0) + 1;
    expect(before.delivered).toBeGreaterThan(0);
    await server.database.query(
      "UPDATE deliveries SET finished_at = now() - interval '31 days' WHERE state IN ('delivered', 'dead')",
    );
    // The dead letters as they are now, by id: the worker may still dead-letter a later delivery meanwhile.
    const deadIds = async () =>
      (await server.database.query<{ id: number }>("SELECT id FROM deliveries WHERE state = 'dead'")).rows.map(
        (r) => r.id,
      );
    const deadBefore = await deadIds();
    expect(deadBefore.length).toBeGreaterThanOrEqual(before.dead);
    const queue = new DeliveryQueue(server.database);
    expect(await queue.pruneDelivered(30)).toBeGreaterThanOrEqual(before.delivered ?? 0);
    const { rows: after } = await server.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM deliveries WHERE state = 'delivered' AND finished_at < now() - interval '30 days'",
    );
    expect(after[0]!.n).toBe(0);
    expect(await deadIds()).toEqual(expect.arrayContaining(deadBefore));
  });
});
