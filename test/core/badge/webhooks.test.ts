// Badge webhook endpoints over real HTTP, delivering to a real receiver on loopback: the endpoint's life (secret
// shown once, sealed at rest, bounds, private targets refused), pass.activated / pass.deactivated when a Badge
// pass is added to and removed from Apple and Google wallets, every request checked by an independent Standard
// Webhooks verifier (the spec's published test vector included), retries with the same webhook-id, secret
// rotation, and a 410 that turns the endpoint off.
import { createHmac, timingSafeEqual } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../../src/deliveries/webhook-signing.js";
import type { FakeGoogle } from "../../fakes/google.js";
import type { Ecv2Signer } from "../../fakes/google-callback-signer.js";
import { type Received, Receiver } from "../../fakes/receiver.js";
import { googleTemplate } from "../../fixtures/reference.js";
import { startTestServer, type TestServer } from "../../helpers/app.js";
import { testPki } from "../../helpers/apple.js";
import { until } from "../../helpers/wait.js";
import { appleDevice, googleCallback, googleWithCallbacks } from "../../helpers/wallets.js";

/**
 * The receiver's side, written from the Standard Webhooks specification alone: the key is the base64 after
 * `whsec_`; the signed content is `${webhook-id}.${webhook-timestamp}.${body}`; webhook-signature is a
 * space-separated list of `v1,<base64 HMAC-SHA256>`, any of which may match; the timestamp must be recent.
 */
function verifyStandardWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  const id = headers["webhook-id"];
  const timestamp = headers["webhook-timestamp"];
  const signatures = headers["webhook-signature"];
  if (typeof id !== "string" || typeof timestamp !== "string" || typeof signatures !== "string") return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(" ").some((candidate) => {
    const [version, value] = candidate.split(",");
    if (version !== "v1" || !value) return false;
    const given = Buffer.from(value, "base64");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

describe("Standard Webhooks signatures", () => {
  it("reproduce the specification's published test vector, and the independent check accepts it", () => {
    expect(signWebhook(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
    const headers = {
      "webhook-id": VECTOR.id,
      "webhook-timestamp": String(VECTOR.timestamp),
      "webhook-signature": `v1,bm9wZQ== ${VECTOR.signature}`,
    };
    expect(verifyStandardWebhook(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp)).toBe(true);
    // The check can fail: another body, another id, an old timestamp, another secret.
    expect(verifyStandardWebhook(VECTOR.secret, headers, '{"test": 2432232315}', VECTOR.timestamp)).toBe(false);
    expect(
      verifyStandardWebhook(VECTOR.secret, { ...headers, "webhook-id": "msg_other" }, VECTOR.body, VECTOR.timestamp),
    ).toBe(false);
    expect(verifyStandardWebhook(VECTOR.secret, headers, VECTOR.body, VECTOR.timestamp + 3600)).toBe(false);
    expect(
      verifyStandardWebhook("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", headers, VECTOR.body, VECTOR.timestamp),
    ).toBe(false);
  });
});

let server: TestServer;
let receiver: Receiver;
let google: FakeGoogle;
let signer: Ecv2Signer;

beforeAll(async () => {
  receiver = new Receiver();
  await receiver.start();
  let options: Awaited<ReturnType<typeof googleWithCallbacks>>["options"];
  ({ google, signer, options } = await googleWithCallbacks());
  server = await startTestServer({
    apple: testPki().setup,
    worker: true,
    deliveryRetryBaseMs: 100,
    google: options,
  });
  const projectId = (await server.call("POST", "/v1/project", { body: { name: "Hooks", projectType: "memberCard" } }))
    .json.id;
  const apple = await server.call("POST", `/v1/template/${projectId}/id/hooks-apple`, {
    body: {
      name: "Members",
      vendor: "Apple",
      type: "Store Card",
      fields: { balance: { fieldType: "primary", label: "Balance", value: "{{user.memberBalance}}" } },
    },
  });
  expect(apple.status, apple.text).toBe(200);
  const android = await server.call("POST", `/v1/template/${projectId}/id/hooks-google`, {
    body: { ...googleTemplate, name: "Members (Google)" },
  });
  expect(android.status, android.text).toBe(200);
});
afterAll(async () => {
  await server?.close();
  await receiver?.close();
  await google?.close();
});

const bearer = () => ({ authorization: `Bearer ${server.credentials.secret}` });
const v0 = (method: string, path: string, body?: unknown) =>
  server.call(method, `/v0${path}`, { headers: bearer(), ...(body === undefined ? {} : { body }) });

/** A Badge pass of `template` for `user`, and the pass it wraps. */
async function badgePass(template: string, user: string) {
  const upsert = await server.call("POST", "/v0/rpc/userPassUpsert", {
    headers: bearer(),
    body: { passTemplateId: template, user: { id: user, attributes: { memberBalance: "5" } } },
  });
  expect(upsert.status, upsert.text).toBe(200);
  const { rows } = await server.database.query<{ pass_id: number }>(
    "SELECT pass_id FROM badge_passes WHERE badge_pass_id = $1",
    [upsert.json.pass.id],
  );
  return { badgePassId: upsert.json.pass.id as string, passId: rows[0]!.pass_id };
}

const forPass = (badgePassId: string, from = 0) =>
  receiver.received
    .slice(from)
    .filter((r) => (r.body.data as { pass?: { id?: string } } | undefined)?.pass?.id === badgePassId);

describe("webhook endpoints", () => {
  let endpoint: { id: string; secret: string };

  it("creates an endpoint whose secret is answered once and sealed at rest", async () => {
    const created = await v0("POST", "/webhookEndpoints", {
      url: `${receiver.url}/badge`,
      enabledTopics: ["pass.activated", "pass.deactivated"],
      enabled: true,
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^ep_[A-Za-z0-9_-]+$/),
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]+=*$/),
      url: `${receiver.url}/badge`,
      enabledTopics: ["pass.activated", "pass.deactivated"],
      enabled: true,
      createdAt: expect.stringMatching(/Z$/),
      updatedAt: expect.stringMatching(/Z$/),
    });
    expect(Buffer.from(created.json.secret.slice(6), "base64").length).toBeGreaterThanOrEqual(24);
    endpoint = created.json;
    const read = await v0("GET", `/webhookEndpoints/${endpoint.id}`);
    expect(read.status).toBe(200);
    expect(read.json).toEqual({ ...created.json, secret: undefined });
    expect(read.text).not.toContain("whsec_");
    const listed = await v0("GET", "/webhookEndpoints");
    expect(listed.json.data.map((e: { id: string }) => e.id)).toEqual([endpoint.id]);
    expect(listed.text).not.toContain("whsec_");
    const { rows } = await server.database.query("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1", [
      endpoint.id,
    ]);
    expect(Buffer.from(rows[0]?.secret_sealed ?? []).toString("latin1")).not.toContain(endpoint.secret.slice(6, 20));
    // Other credentials see nothing; no credentials are refused.
    expect(
      (await server.call("GET", "/v0/webhookEndpoints", { headers: { authorization: "Bearer nope" } })).status,
    ).toBe(401);
  });

  it("refuses bad input with a 400 naming it, private targets, and unknown ids with a 404", async () => {
    const refused = async (body: unknown, code: string, needle: RegExp) => {
      const answer = await v0("POST", "/webhookEndpoints", body);
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.json.code).toBe(code);
      expect(answer.json.error).toMatch(needle);
    };
    await refused({}, "VALIDATION_FAILED", /url is required/);
    await refused({ url: `${receiver.url}/x`, enabledTopics: ["pass.created"] }, "VALIDATION_FAILED", /pass\.created/);
    await refused({ url: `${receiver.url}/x`, enabledTopics: [] }, "VALIDATION_FAILED", /enabledTopics/);
    await refused({ url: `${receiver.url}/x`, enabled: "yes" }, "VALIDATION_FAILED", /enabled/);
    await refused({ url: "https://10.1.2.3/hook" }, "WEBHOOK_TARGET_REFUSED", /url/);
    await refused({ url: "https://[::ffff:169.254.169.254]/hook" }, "WEBHOOK_TARGET_REFUSED", /url/);
    await refused({ url: "http://hooks.example.com/x" }, "WEBHOOK_TARGET_REFUSED", /https/);
    await refused({ url: `https://a.example/${"x".repeat(2100)}` }, "VALIDATION_FAILED", /longer/);
    for (const id of ["ep_missing", "nope", "ep_%27%3B--", `ep_${"a".repeat(70)}`]) {
      expect((await v0("GET", `/webhookEndpoints/${id}`)).json.code, id).toBe("WEBHOOK_ENDPOINT_NOT_FOUND");
      expect((await v0("DELETE", `/webhookEndpoints/${id}`)).status, id).toBe(404);
      expect((await v0("POST", `/webhookEndpoints/${id}/rotateSecret`)).status, id).toBe(404);
    }
    const bad = await v0("PATCH", `/webhookEndpoints/${endpoint.id}`, { url: "https://127.0.0.9/x" });
    expect(bad.json.code).toBe("WEBHOOK_TARGET_REFUSED");
    expect((await v0("GET", `/webhookEndpoints/${endpoint.id}`)).json.url).toBe(`${receiver.url}/badge`);
    // PUT and POST on the endpoint update it as PATCH does: only the fields given change.
    for (const method of ["PUT", "POST"]) {
      const changed = await v0(method, `/webhookEndpoints/${endpoint.id}`, { enabledTopics: ["pass.activated"] });
      expect(changed.status, method).toBe(200);
      expect(changed.json, method).toMatchObject({ enabledTopics: ["pass.activated"], url: `${receiver.url}/badge` });
      expect(changed.json.secret, method).toBeUndefined();
      const restored = await v0(method, `/webhookEndpoints/${endpoint.id}`, {
        enabledTopics: ["pass.activated", "pass.deactivated"],
      });
      expect(restored.json.enabledTopics, method).toEqual(["pass.activated", "pass.deactivated"]);
    }
    // Nothing was created by the refusals.
    expect((await v0("GET", "/webhookEndpoints")).json.data).toHaveLength(1);
  });

  it("bounds the number of endpoints of an account", async () => {
    const made: string[] = [];
    for (;;) {
      const answer = await v0("POST", "/webhookEndpoints", { url: `${receiver.url}/spare`, enabled: false });
      if (answer.status !== 200) {
        expect(answer.status).toBe(400);
        expect(answer.json.code).toBe("WEBHOOK_ENDPOINT_LIMIT");
        break;
      }
      made.push(answer.json.id);
      expect(made.length).toBeLessThan(20);
    }
    expect(made).toHaveLength(19);
    for (const id of made) expect((await v0("DELETE", `/webhookEndpoints/${id}`)).json).toEqual({ id, deleted: true });
    expect((await v0("GET", "/webhookEndpoints")).json.data).toHaveLength(1);
  });
});

describe("webhook deliveries", () => {
  let endpoint: { id: string; secret: string };
  let verified: (r: Received, secret?: string) => boolean;

  beforeAll(async () => {
    endpoint = (await v0("GET", "/webhookEndpoints")).json.data[0];
    // The secret of the first test's endpoint is not readable any more: rotate to learn a current one.
    const rotated = await v0("POST", `/webhookEndpoints/${endpoint.id}/rotateSecret`, {});
    expect(rotated.status, rotated.text).toBe(200);
    endpoint = rotated.json;
    verified = (r, secret = endpoint.secret) => verifyStandardWebhook(secret, r.headers, r.raw);
  });

  it("POSTs pass.activated and pass.deactivated for an Apple wallet, signed per Standard Webhooks", async () => {
    const { badgePassId, passId } = await badgePass("hooks-apple", "ada");
    await appleDevice(server, passId, "phone-1", "POST");
    const activated = await until(
      () => forPass(badgePassId),
      (found) => found.length >= 1,
    );
    const first = activated[0]!;
    expect(first.path).toBe("/badge");
    expect(first.headers["content-type"]).toBe("application/json");
    expect(first.headers["webhook-id"]).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(verified(first)).toBe(true);
    expect(JSON.parse(first.raw)).toEqual({
      type: "pass.activated",
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      data: { pass: { id: badgePassId, passTemplateId: "hooks-apple" }, user: { id: "ada" }, platform: "ios" },
    });
    // A second phone is no new activation; removing the last one deactivates.
    await appleDevice(server, passId, "phone-2", "POST");
    await appleDevice(server, passId, "phone-1", "DELETE");
    await appleDevice(server, passId, "phone-2", "DELETE");
    const both = await until(
      () => forPass(badgePassId),
      (found) => found.length >= 2,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(forPass(badgePassId).map((r) => r.body.type)).toEqual(["pass.activated", "pass.deactivated"]);
    expect(verified(both[1]!)).toBe(true);
    expect(both[1]!.headers["webhook-id"]).not.toBe(first.headers["webhook-id"]);
  });

  it("POSTs them for Google's save and delete callbacks, and only the topics an endpoint listens to", async () => {
    const only = await v0("POST", "/webhookEndpoints", {
      url: `${receiver.url}/deactivations`,
      enabledTopics: ["pass.deactivated"],
    });
    expect(only.status, only.text).toBe(200);
    const { badgePassId, passId } = await badgePass("hooks-google", "grace");
    const { serialNumber } = (await server.call("GET", `/v1/pass/${passId}`)).json;
    const objectId = `${google.issuerId}.${serialNumber}`;
    await googleCallback(server, signer, google.issuerId, objectId, "save", "wh-save-1");
    await googleCallback(server, signer, google.issuerId, objectId, "del", "wh-del-1");
    await until(
      () => forPass(badgePassId),
      (found) => found.length >= 3,
    );
    await new Promise((r) => setTimeout(r, 300));
    const arrived = forPass(badgePassId).map((r) => [
      r.path,
      r.body.type,
      (r.body.data as { platform: string }).platform,
    ]);
    expect(arrived.sort()).toEqual([
      ["/badge", "pass.activated", "android"],
      ["/badge", "pass.deactivated", "android"],
      ["/deactivations", "pass.deactivated", "android"],
    ]);
    const other = forPass(badgePassId).find((r) => r.path === "/deactivations")!;
    expect(verifyStandardWebhook(only.json.secret, other.headers, other.raw)).toBe(true);
    expect(verified(other)).toBe(false);
    expect((await v0("DELETE", `/webhookEndpoints/${only.json.id}`)).status).toBe(200);
  });

  it("retries a 503 with the same webhook-id, each attempt freshly signed", async () => {
    let failures = 2;
    receiver.answers = (path) => (path === "/badge" && failures-- > 0 ? 503 : 200);
    const from = receiver.received.length;
    const { badgePassId, passId } = await badgePass("hooks-apple", "retry-user");
    await appleDevice(server, passId, "phone-r", "POST");
    const attempts = await until(
      () => forPass(badgePassId, from),
      (found) => found.length >= 3,
    );
    expect(attempts).toHaveLength(3);
    expect(new Set(attempts.map((a) => a.headers["webhook-id"])).size).toBe(1);
    expect(new Set(attempts.map((a) => a.raw)).size).toBe(1);
    for (const attempt of attempts) expect(verified(attempt)).toBe(true);
    receiver.answers = () => 200;
  });

  it("signs with both secrets for a day after a rotation, then the old one is gone from the header", async () => {
    const old = endpoint.secret;
    const rotated = await v0("POST", `/webhookEndpoints/${endpoint.id}/rotateSecret`);
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.json.secret).not.toBe(old);
    expect(rotated.json.id).toBe(endpoint.id);
    const { badgePassId, passId } = await badgePass("hooks-apple", "rotation-user");
    await appleDevice(server, passId, "phone-x", "POST");
    const [during] = await until(
      () => forPass(badgePassId),
      (found) => found.length >= 1,
    );
    expect(verified(during!, rotated.json.secret)).toBe(true);
    expect(verified(during!, old)).toBe(true);
    expect(String(during!.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    // After the grace period only the new secret signs.
    await server.database.query(
      "UPDATE webhook_endpoints SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1",
      [endpoint.id],
    );
    await appleDevice(server, passId, "phone-x", "DELETE");
    const [, after] = await until(
      () => forPass(badgePassId),
      (found) => found.length >= 2,
    );
    expect(verified(after!, rotated.json.secret)).toBe(true);
    expect(verified(after!, old)).toBe(false);
    endpoint = rotated.json;
  });

  it("turns the endpoint off when its receiver answers 410, and sends again once it is enabled", async () => {
    receiver.answers = (path) => (path === "/badge" ? 410 : 200);
    const first = await badgePass("hooks-apple", "gone-user");
    await appleDevice(server, first.passId, "phone-g", "POST");
    const off = await until(
      async () => (await v0("GET", `/webhookEndpoints/${endpoint.id}`)).json,
      (e) => e.enabled === false,
    );
    expect(off).toMatchObject({ enabled: false, disabledReason: expect.stringMatching(/410/) });
    expect(forPass(first.badgePassId)).toHaveLength(1);
    // Off: events are not queued for it.
    receiver.answers = () => 200;
    const second = await badgePass("hooks-apple", "while-off");
    await appleDevice(server, second.passId, "phone-h", "POST");
    await new Promise((r) => setTimeout(r, 500));
    expect(forPass(second.badgePassId)).toHaveLength(0);
    // On again (the reason cleared); a change of topics and URL applies to what follows.
    const on = await v0("PATCH", `/webhookEndpoints/${endpoint.id}`, {
      enabled: true,
      url: `${receiver.url}/badge-v2`,
      enabledTopics: ["pass.deactivated"],
    });
    expect(on.status, on.text).toBe(200);
    expect(on.json).toMatchObject({
      enabled: true,
      url: `${receiver.url}/badge-v2`,
      enabledTopics: ["pass.deactivated"],
    });
    expect(on.json.disabledReason).toBeUndefined();
    await appleDevice(server, second.passId, "phone-h", "DELETE");
    const [arrived] = await until(
      () => forPass(second.badgePassId),
      (found) => found.length >= 1,
    );
    expect(arrived).toMatchObject({ path: "/badge-v2", body: { type: "pass.deactivated" } });
    expect(verified(arrived!)).toBe(true);
  });
});
