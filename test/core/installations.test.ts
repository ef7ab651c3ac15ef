// Where a pass is installed, over real HTTP, as each wallet reports it: an Apple pass on every device that
// registered through the PassKit web service (and no longer on one that unregistered), a Google pass once Google's
// signed save callback arrived (and not after its delete) — in every path form, paged, and 404 for a stranger.
import { afterAll, beforeAll, expect, it } from "vitest";
import type { FakeGoogle } from "../fakes/google.js";
import type { Ecv2Signer } from "../fakes/google-callback-signer.js";
import { appleTemplate, googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";
import { appleDevice, googleCallback, googleWithCallbacks, handOutGooglePass } from "../helpers/wallets.js";

let server: TestServer;
let google: FakeGoogle;
let signer: Ecv2Signer;
let projectId: number;

beforeAll(async () => {
  const fake = await googleWithCallbacks();
  google = fake.google;
  signer = fake.signer;
  server = await startTestServer({ apple: testPki().setup, google: fake.options });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Installs", projectType: "memberCard" } })).json
    .id;
});
afterAll(async () => {
  await server.close();
  await google.close();
});

async function passOf(template: Record<string, unknown>, externalId: string) {
  const templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: template })).json.templateId;
  const pass = await server.call("POST", `/v1/pass/${templateId}/id/${externalId}`, { body: {} });
  expect(pass.status, pass.text).toBe(200);
  return { templateId: templateId as number, id: pass.json.id as number, serialNumber: pass.json.serialNumber };
}

it("lists the devices an Apple pass is registered on, oldest first and paged, in every path form", async () => {
  const pass = await passOf({ ...appleTemplate, name: "Apple installs" }, "apple-1");
  const empty = await server.call("GET", `/v1/pass/${pass.id}/installations`);
  expect(empty.status, empty.text).toBe(200);
  expect(empty.json).toMatchObject({ passId: pass.id, count: 0, installations: [] });

  for (const device of ["phone-a", "phone-b", "phone-c"]) await appleDevice(server, pass.id, device, "POST");
  const all = await server.call("GET", `/v1/pass/${pass.id}/installations`);
  expect(all.json.count).toBe(3);
  expect(all.json.installations.map((i: { deviceLibraryIdentifier: string }) => i.deviceLibraryIdentifier)).toEqual([
    "phone-a",
    "phone-b",
    "phone-c",
  ]);
  for (const installation of all.json.installations) {
    expect(installation.platform).toBe("ios");
    expect(Number.isNaN(Date.parse(installation.installedAt))).toBe(false);
  }
  const second = await server.call("GET", `/v1/pass/${pass.id}/installations?page=2&pageSize=2`);
  expect(second.json).toMatchObject({ count: 3, pagination: { page: 2, pageSize: 2, start: 2 } });
  expect(second.json.installations.map((i: { deviceLibraryIdentifier: string }) => i.deviceLibraryIdentifier)).toEqual([
    "phone-c",
  ]);

  await appleDevice(server, pass.id, "phone-b", "DELETE");
  for (const path of [
    `/v1/pass/${pass.id}/installations`,
    "/v1/pass/id/apple-1/installations",
    `/v1/pass/template/${pass.templateId}/id/apple-1/installations`,
  ]) {
    const answer = await server.call("GET", path);
    expect(answer.status, path).toBe(200);
    expect(
      answer.json.installations.map((i: { deviceLibraryIdentifier: string }) => i.deviceLibraryIdentifier),
    ).toEqual(["phone-a", "phone-c"]);
  }
});

it("reports a Google pass installed once Google's save callback arrives, and not after its delete", async () => {
  const pass = await passOf({ ...googleTemplate, name: "Google installs" }, "google-1");
  await handOutGooglePass(server, pass.id);
  const objectId = `${google.issuerId}.${pass.serialNumber}`;
  expect((await server.call("GET", `/v1/pass/${pass.id}/installations`)).json.count).toBe(0);

  await googleCallback(server, signer, google.issuerId, objectId, "save", "installs-save-1");
  const saved = await server.call("GET", "/v1/pass/id/google-1/installations");
  expect(saved.json.count).toBe(1);
  expect(saved.json.installations).toHaveLength(1);
  expect(saved.json.installations[0].platform).toBe("android");
  expect(saved.json.installations[0].deviceLibraryIdentifier).toBeUndefined();

  await googleCallback(server, signer, google.issuerId, objectId, "del", "installs-del-1");
  expect((await server.call("GET", `/v1/pass/${pass.id}/installations`)).json).toMatchObject({
    count: 0,
    installations: [],
  });
});

it("answers a pass that does not exist with 404 and a bad page size with 400, in the JSON error shape", async () => {
  const missing = await server.call("GET", "/v1/pass/999999/installations");
  expect(missing.status).toBe(404);
  expect(missing.json.code).toBe("PASS_NOT_FOUND");
  const pass = await passOf({ ...appleTemplate, name: "Bad pages" }, "apple-2");
  const bad = await server.call("GET", `/v1/pass/${pass.id}/installations?pageSize=5000`);
  expect(bad.status).toBe(400);
  expect(bad.json.error).toContain("pageSize");
});
