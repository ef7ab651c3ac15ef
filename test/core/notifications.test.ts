// Pass notifications over real HTTP, to a fake APNs (HTTP/2 + TLS) and a fake Google Wallet API on loopback: one
// pass, a template's passes and a tag's passes; Apple's lock-screen field and push; Google's notifying message
// and its limit of three a day; clearing; the errors.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeApns, startFakeApns } from "../fakes/apns.js";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google.js";
import { appleTemplate, googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki } from "../helpers/apple.js";
import { discoveryProblems } from "../helpers/discovery.js";
import { until } from "../helpers/wait.js";
import { handOutGooglePass } from "../helpers/wallets.js";

let server: TestServer;
let pki: TestPki;
let apns: FakeApns;
let google: FakeGoogle;
let projectId: number;
let appleId: number;
let otherAppleId: number;
let googleId: number;

beforeAll(async () => {
  pki = testPki();
  apns = await startFakeApns();
  google = await startFakeGoogle();
  server = await startTestServer({
    apple: pki.setup,
    worker: true,
    apns: { host: apns.host, ca: apns.ca, backoffMs: 5, timeoutMs: 2000 },
    google: {
      defaultIssuer: { issuerId: google.issuerId, serviceAccount: google.serviceAccount },
      apiUrl: google.url,
    },
  });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Notify", projectType: "loyalty" } })).json.id;
  appleId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  otherAppleId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  googleId = (await server.call("POST", `/v1/template/${projectId}`, { body: googleTemplate })).json.templateId;
});
afterAll(async () => {
  await server.close();
  await apns.close();
  await google.close();
});

const backFields = async (passId: number) =>
  ((await server.call("GET", `/v1/pass/${passId}/viewJSONPass`)).json.storeCard.backFields ?? []) as {
    key: string;
    label?: string;
    value: unknown;
    changeMessage?: string;
  }[];

async function installedApplePass(token: string) {
  const created = (await server.call("POST", `/v1/pass/${appleId}`, { body: {} })).json;
  const json = (await server.call("GET", `/v1/pass/${created.id}/viewJSONPass`)).json;
  const registered = await fetch(
    `${server.baseUrl}/apple/v1/devices/dev-${token}/registrations/${json.passTypeIdentifier}/${json.serialNumber}`,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `ApplePass ${json.authenticationToken}` },
      body: JSON.stringify({ pushToken: token }),
    },
  );
  expect(registered.status).toBe(201);
  return created.id as number;
}

describe("notifying one pass", () => {
  it("puts the message on an installed Apple pass's back and pushes its device once", async () => {
    const passId = await installedApplePass("c0ffee01");
    const sent = await server.call("POST", `/v1/pass/${passId}/notify`, {
      body: { value: "20% off today", label: "Current Promotion" },
    });
    expect(sent.status, sent.text).toBe(200);
    expect(sent.json).toEqual({ ticketId: expect.any(Number) });
    const pushes = await until(
      async () => apns.pushes.filter((p) => p.token === "c0ffee01"),
      (p) => p.length >= 1,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(apns.pushes.filter((p) => p.token === "c0ffee01")).toHaveLength(pushes.length);
    expect(pushes).toHaveLength(1);
    // Counted where an operator looks: the metrics the server serves.
    const metrics = await server.app.metrics.metrics();
    expect(Number(/wallet_apns_pushes_total\{outcome="sent"\} (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThanOrEqual(
      1,
    );
    expect(await backFields(passId)).toContainEqual(
      expect.objectContaining({
        key: "lastNotification",
        label: "Current Promotion",
        value: "20% off today",
        changeMessage: "%@",
      }),
    );
    // The newest replaces the older; the default label; DELETE clears it.
    await server.call("POST", `/v1/pass/${passId}/notify`, { body: { value: "Last day!" } });
    const fields = await backFields(passId);
    expect(fields.filter((f) => f.key === "lastNotification")).toEqual([
      expect.objectContaining({ label: "Last Notification", value: "Last day!" }),
    ]);
    const cleared = await server.call("DELETE", `/v1/pass/${passId}/notify`);
    expect(cleared.json).toEqual({ ticketId: expect.any(Number) });
    expect((await backFields(passId)).some((f) => f.key === "lastNotification")).toBe(false);
  });

  it("sends a Google pass one notifying message, and no more than three a day", async () => {
    const created = (await server.call("POST", `/v1/pass/${googleId}/id/g-1`, { body: {} })).json;
    await handOutGooglePass(server, created.id);
    const objectId = `${google.issuerId}.${created.serialNumber}`;
    const messages = () =>
      google.calls
        .filter((c) => c.action === "addMessage" && c.id === objectId)
        .map((c) => c.body as { message: { body: string; messageType: string } });
    await until(
      () => google.calls.filter((c) => (c.body as { id?: string })?.id === objectId),
      (c) => c.length > 0,
    );
    for (let i = 1; i <= 4; i++) {
      const sent = await server.call("POST", `/v1/pass/template/${googleId}/id/g-1/notify`, {
        body: { value: `Offer ${i}` },
      });
      expect(sent.status, sent.text).toBe(200);
      await until(messages, (m) => m.length >= i);
    }
    const sent = messages();
    expect(sent.map((m) => [m.message.body, m.message.messageType])).toEqual([
      ["Offer 1", "TEXT_AND_NOTIFY"],
      ["Offer 2", "TEXT_AND_NOTIFY"],
      ["Offer 3", "TEXT_AND_NOTIFY"],
      ["Offer 4", "TEXT"],
    ]);
    for (const body of sent) expect(discoveryProblems("AddMessageRequest", body)).toEqual([]);
    const metrics = await server.app.metrics.metrics();
    expect(Number(/wallet_google_requests_total\{status="200"\} (\d+)/.exec(metrics)?.[1] ?? 0)).toBeGreaterThanOrEqual(
      4,
    );
    // The refusal is written in the sync's transaction, which commits after the message reached Google.
    const rows = await until(
      async () =>
        (
          await server.database.query<{ errors: { error: string }[] }>(
            "SELECT errors FROM tickets WHERE pass_id = $1 AND errors <> '[]'::jsonb ORDER BY id DESC LIMIT 1",
            [created.id],
          )
        ).rows,
      (r) => r.length > 0,
    );
    expect(rows[0]?.errors[0]?.error).toMatch(/allows 3 notifying messages per pass a day/);
  });

  it("answers 404 for an unknown pass, and 400 for an empty or overlong message", async () => {
    const missing = await server.call("POST", "/v1/pass/999999/notify", { body: { value: "x" } });
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe("PASS_NOT_FOUND");
    const passId = (await server.call("POST", `/v1/pass/${appleId}`, { body: {} })).json.id;
    for (const body of [{ value: "" }, { value: "   " }, { value: "x".repeat(501) }, {}, { value: 5 }]) {
      const bad = await server.call("POST", `/v1/pass/${passId}/notify`, { body });
      expect(bad.status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe("notifying a group", () => {
  const notified = async (ids: number[]) => {
    const { rows } = await server.database.query<{ id: number; message: string | null }>(
      "SELECT id, overrides->'fields'->'lastNotification'->>'value' AS message FROM passes WHERE id = ANY($1::int[]) ORDER BY id",
      [ids],
    );
    return Object.fromEntries(rows.map((r) => [r.id, r.message]));
  };

  it("reaches exactly a template's passes, and exactly a tag's passes", async () => {
    const mine = [];
    for (let i = 0; i < 3; i++)
      mine.push((await server.call("POST", `/v1/pass/${otherAppleId}`, { body: {} })).json.id);
    const others = [(await server.call("POST", `/v1/pass/${appleId}`, { body: { tags: ["vip"] } })).json.id];
    const byTemplate = await server.call("POST", `/v1/template/${otherAppleId}/notify`, {
      body: { value: "Template news" },
    });
    expect(byTemplate.status, byTemplate.text).toBe(200);
    const ticket = (await server.call("GET", `/v1/ticket/${byTemplate.json.ticketId}`)).json;
    expect(ticket).toMatchObject({ kind: "notification", status: "done", progress: { done: 3, total: 3 } });
    expect(await notified([...mine, ...others])).toEqual({
      [mine[0]]: "Template news",
      [mine[1]]: "Template news",
      [mine[2]]: "Template news",
      [others[0]!]: null,
    });
    await server.call("PUT", `/v1/pass/${mine[0]}/tags`, { body: { tags: ["vip"] } });
    const byTag = await server.call("POST", "/v1/tag/vip/notify", { body: { value: "VIP only" } });
    expect(byTag.status).toBe(200);
    expect(await notified([...mine, ...others])).toEqual({
      [mine[0]]: "VIP only",
      [mine[1]]: "Template news",
      [mine[2]]: "Template news",
      [others[0]!]: "VIP only",
    });
    expect((await server.call("DELETE", "/v1/tag/vip/notify")).status).toBe(200);
    expect((await notified([mine[0], others[0]!]))[mine[0]]).toBeNull();
    expect((await server.call("POST", "/v1/tag/nobody/notify", { body: { value: "x" } })).json.code).toBe(
      "TAG_NOT_FOUND",
    );
    expect((await server.call("POST", "/v1/template/999999/notify", { body: { value: "x" } })).json.code).toBe(
      "TEMPLATE_NOT_FOUND",
    );
  });
});
