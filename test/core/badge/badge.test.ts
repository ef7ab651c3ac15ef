// Badge's v0 RPC API over real HTTP with Bearer keys: userPassUpsert creates and updates (user attributes reach all
// the user's passes, pass attributes only their pass), downloadUrl adapts to the device, and
// passSendPushNotification reaches the fake APNs and the fake Google Wallet API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeApns, startFakeApns } from "../../fakes/apns.js";
import { type FakeGoogle, startFakeGoogle } from "../../fakes/google.js";
import { googleTemplate } from "../../fixtures/reference.js";
import { startTestServer, type TestServer } from "../../helpers/app.js";
import { testPki, unpack } from "../../helpers/apple.js";
import { until } from "../../helpers/wait.js";
import { handOutGooglePass } from "../../helpers/wallets.js";

let server: TestServer;
let apns: FakeApns;
let google: FakeGoogle;

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
const ANDROID =
  "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36";

beforeAll(async () => {
  const pki = testPki();
  apns = await startFakeApns();
  google = await startFakeGoogle();
  server = await startTestServer({
    worker: true,
    apple: pki.setup,
    apns: { host: apns.host, ca: apns.ca, backoffMs: 5 },
    google: { defaultIssuer: { issuerId: google.issuerId, serviceAccount: google.serviceAccount }, apiUrl: google.url },
  });
  const projectId = (await server.call("POST", "/v1/project", { body: { name: "Badge", projectType: "memberCard" } }))
    .json.id;
  const apple = await server.call("POST", `/v1/template/${projectId}/id/badge-apple`, {
    body: {
      name: "Members",
      vendor: "Apple",
      type: "Store Card",
      headers: { barcode_value: { value: "{{pass.ticketNumber}}" } },
      fields: {
        balance: { fieldType: "primary", label: "Balance", value: "{{user.memberBalance}}" },
        ticket: { fieldType: "secondary", label: "Ticket", value: "{{pass.ticketNumber}}" },
      },
    },
  });
  expect(apple.status).toBe(200);
  const android = await server.call("POST", `/v1/template/${projectId}/id/badge-google`, {
    body: {
      ...googleTemplate,
      name: "Members (Google)",
      textModulesData: {
        Balance: { header: "Balance", body: "{{user.memberBalance}}", value: "{{user.memberBalance}}", row: 0, col: 0 },
      },
    },
  });
  expect(android.status).toBe(200);
});
afterAll(async () => {
  await server.close();
  await apns.close();
  await google.close();
});

const bearer = () => ({ authorization: `Bearer ${server.credentials.secret}` });
const rpc = (method: string, body: unknown, headers: Record<string, string> = bearer()) =>
  server.call("POST", `/v0/rpc/${method}`, { body, headers });

async function ourPass(badgePassId: string) {
  const { rows } = await server.database.query<{ pass_id: number }>(
    "SELECT pass_id FROM badge_passes WHERE badge_pass_id = $1",
    [badgePassId],
  );
  return (await server.call("GET", `/v1/pass/${rows[0]!.pass_id}`)).json;
}

describe("userPassUpsert", () => {
  it("creates a user's pass whose download link adapts to the device", async () => {
    const created = await rpc("userPassUpsert", {
      passTemplateId: "badge-apple",
      user: { id: "66565", email: "joe@example.com", attributes: { memberBalance: "1000" } },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json.pass.id).toBeDefined();
    expect(created.json.pass.downloadUrl).toMatch(new RegExp(`^${server.baseUrl}/v1/pass/adaptive/[A-Za-z0-9]+$`));
    const phone = await fetch(created.json.pass.downloadUrl, { headers: { "user-agent": IPHONE } });
    expect(phone.status).toBe(200);
    const passJson = unpack(Buffer.from(await phone.arrayBuffer())).passJson as {
      storeCard: { primaryFields: Array<{ value: string }> };
    };
    expect(passJson.storeCard.primaryFields[0]!.value).toBe("1000");
    // Without a pass id, one pass per user and template: the same upsert answers the same pass.
    const again = await rpc("userPassUpsert", { passTemplateId: "badge-apple", user: { id: "66565" } });
    expect(again.json.pass).toEqual(created.json.pass);
  });

  it("shares user attributes across the user's passes and keeps pass attributes to their pass", async () => {
    const a = await rpc("userPassUpsert", {
      passTemplateId: "badge-apple",
      user: { id: "u2", attributes: { memberBalance: "10" } },
      pass: { id: "ticket-a", attributes: { ticketNumber: "ABC123" } },
    });
    const b = await rpc("userPassUpsert", {
      passTemplateId: "badge-apple",
      user: { id: "u2" },
      pass: { id: "ticket-b", attributes: { ticketNumber: "XYZ789" } },
    });
    expect(a.json.pass.id).toBe("ticket-a");
    expect(b.json.pass.id).toBe("ticket-b");
    expect((await ourPass("ticket-a")).fields.ticket.value).toBe("ABC123");
    expect((await ourPass("ticket-b")).headers.barcode_value.value).toBe("XYZ789");

    await rpc("userPassUpsert", {
      passTemplateId: "badge-apple",
      user: { id: "u2", attributes: { memberBalance: "20" } },
    });
    expect((await ourPass("ticket-a")).fields.balance.value).toBe("20");
    expect((await ourPass("ticket-b")).fields.balance.value).toBe("20");

    const bBefore = await ourPass("ticket-b");
    await rpc("userPassUpsert", {
      passTemplateId: "badge-apple",
      user: { id: "u2" },
      pass: { id: "ticket-a", attributes: { ticketNumber: "NEW1" } },
    });
    expect((await ourPass("ticket-a")).fields.ticket.value).toBe("NEW1");
    const bAfter = await ourPass("ticket-b");
    expect(bAfter.fields.ticket.value).toBe("XYZ789");
    expect(bAfter.updatedAt).toBe(bBefore.updatedAt);
  });

  it("answers Android with the Google save link", async () => {
    const created = await rpc("userPassUpsert", {
      passTemplateId: "badge-google",
      user: { id: "droid", attributes: { memberBalance: "5" } },
    });
    expect(created.status, created.text).toBe(200);
    const phone = await fetch(created.json.pass.downloadUrl, {
      redirect: "manual",
      headers: { "user-agent": ANDROID },
    });
    expect(phone.status).toBe(302);
    expect(phone.headers.get("location")).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
  });

  it("needs the API key and names bad input", async () => {
    expect(
      (
        await rpc(
          "userPassUpsert",
          { passTemplateId: "badge-apple", user: { id: "x" } },
          { authorization: "Bearer nope" },
        )
      ).status,
    ).toBe(401);
    const bad = await rpc("userPassUpsert", { user: {} });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/passTemplateId|user\.id/);
    expect((await rpc("userPassUpsert", { passTemplateId: "nope", user: { id: "x" } })).status).toBe(404);
  });
});

describe("passSendPushNotification", () => {
  it("puts the message on an Apple pass as an announced back field and pushes the device", async () => {
    await rpc("userPassUpsert", {
      passTemplateId: "badge-apple",
      user: { id: "pushy" },
      pass: { id: "push-1", attributes: { ticketNumber: "T1" } },
    });
    const pass = await ourPass("push-1");
    const json = (await server.call("GET", `/v1/pass/${pass.id}/viewJSONPass`)).json;
    const register = await fetch(
      `${server.baseUrl}/apple/v1/devices/dev-push/registrations/${json.passTypeIdentifier}/${json.serialNumber}`,
      {
        method: "POST",
        headers: { authorization: `ApplePass ${json.authenticationToken}`, "content-type": "application/json" },
        body: JSON.stringify({ pushToken: "feed01" }),
      },
    );
    expect(register.status).toBe(201);
    const sent = await rpc("passSendPushNotification", { passId: "push-1", message: "Doors open at 7pm" });
    expect(sent.status, sent.text).toBe(200);
    await apns.waitFor(1);
    expect(apns.pushes.some((p) => p.token === "feed01")).toBe(true);
    const after = (await server.call("GET", `/v1/pass/${pass.id}/viewJSONPass`)).json;
    expect(after.storeCard.backFields).toContainEqual(
      expect.objectContaining({ key: "lastNotification", value: "Doors open at 7pm", changeMessage: "%@" }),
    );
  });

  it("sends a notifying message to a Google pass", async () => {
    const created = await rpc("userPassUpsert", {
      passTemplateId: "badge-google",
      user: { id: "g-user" },
      pass: { id: "g-1" },
    });
    expect(created.status).toBe(200);
    const pass = await ourPass("g-1");
    await handOutGooglePass(server, pass.id);
    const objectId = `${google.issuerId}.${pass.serialNumber}`;
    await until(
      () => google.calls.some((c) => c.action === "insert" && (c.body as { id?: string })?.id === objectId),
      (inserted) => inserted,
    );
    const sent = await rpc("passSendPushNotification", { passId: "g-1", message: "Your balance changed" });
    expect(sent.status).toBe(200);
    const message = await until(
      () => google.calls.find((c) => c.action === "addMessage" && c.id === objectId),
      (found) => found !== undefined,
    );
    expect(message?.body).toMatchObject({ message: { body: "Your balance changed", messageType: "TEXT_AND_NOTIFY" } });
  });

  it("answers 404 for an unknown pass and 400 for an over-long message", async () => {
    expect((await rpc("passSendPushNotification", { passId: "nope", message: "hi" })).status).toBe(404);
    const long = await rpc("passSendPushNotification", { passId: "push-1", message: "x".repeat(501) });
    expect(long.status).toBe(400);
    expect(long.json.error).toMatch(/longer than 500/);
  });
});
