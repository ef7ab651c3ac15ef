// Google credentials without a key file: Application Default Credentials from a (fake) GCE metadata server, and the
// IAM Credentials API for the service account's Wallet tokens and save-link signatures. The save link verifies
// with the account's Google-managed key, the object reaches the Wallet API with an IAM-issued token, no key-based
// token is ever requested, and a save link is signed once per pass version.
import { verify } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { IamKeylessIdentity } from "../../src/google/keyless.js";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google.js";
import { smallGoogleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { until } from "../helpers/wait.js";
import { handOutGooglePass } from "../helpers/wallets.js";

let google: FakeGoogle;
let server: TestServer;

beforeAll(async () => {
  google = await startFakeGoogle();
  // Application Default Credentials find the metadata server here (as on Cloud Run or GKE).
  process.env.GCE_METADATA_HOST = google.metadataHost;
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  server = await startTestServer({
    worker: true,
    google: {
      defaultIssuer: {
        issuerId: google.issuerId,
        keyless: new IamKeylessIdentity(google.serviceAccount.client_email, google.url),
      },
      apiUrl: google.url,
    },
  });
});
afterAll(async () => {
  await server?.close();
  await google?.close();
});

it("signs save links and calls the Wallet API through IAM, with no key on disk", async () => {
  const project = (await server.call("POST", "/v1/project", { body: { name: "Keyless", projectType: "memberCard" } }))
    .json.id;
  const templateId = (await server.call("POST", `/v1/template/${project}`, { body: smallGoogleTemplate })).json
    .templateId;
  const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
  const link = await handOutGooglePass(server, pass.id);
  const jwt = link.slice("https://pay.google.com/gp/v/save/".length);
  expect(jwt.length).toBeLessThanOrEqual(1800);
  const [head, claims, signature] = jwt.split(".");
  expect(
    verify("sha256", Buffer.from(`${head}.${claims}`), google.publicKey, Buffer.from(signature!, "base64url")),
  ).toBe(true);
  expect(JSON.parse(Buffer.from(head!, "base64url").toString())).toMatchObject({ alg: "RS256" });
  const decoded = JSON.parse(Buffer.from(claims!, "base64url").toString());
  expect(decoded).toMatchObject({ iss: google.serviceAccount.client_email, aud: "google", typ: "savetowallet" });
  expect(decoded.payload.loyaltyObjects[0].id).toBe(`${google.issuerId}.${pass.serialNumber}`);

  // The handed-out pass's object is inserted with a token IAM issued for the service account.
  const [insert] = await until(
    () => google.calls.filter((c) => c.action === "insert" && c.resource === "loyaltyObject"),
    (calls) => calls.length > 0,
  );
  expect(insert!.authorization).toMatch(/^Bearer iam-token-/);
  expect(google.tokenRequests).toBe(0);
  expect(google.iamCalls.filter((c) => c.startsWith("generateAccessToken"))).toHaveLength(1);

  // Signed once per pass version: the same link again costs no IAM call; a change signs a new one.
  expect(await handOutGooglePass(server, pass.id)).toBe(link);
  expect(google.iamCalls.filter((c) => c.startsWith("signJwt"))).toHaveLength(1);
  await server.call("PUT", `/v1/pass/${pass.id}`, { body: { headers: { barcode_value: { value: "changed" } } } });
  expect(await handOutGooglePass(server, pass.id)).not.toBe(link);
  expect(google.iamCalls.filter((c) => c.startsWith("signJwt"))).toHaveLength(2);
});
