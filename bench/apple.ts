// Apple benchmarks: signed .pkpass per second on one core (ours and passkit-generator, same content, same run),
// a 100,000-pass publish until every registered device's push has reached a fake APNs, and device fetches of the
// latest pass (200 and 304) at a fixed 500 requests/s.
import { sign } from "node:crypto";
import { PKPass } from "passkit-generator";
import pg from "pg";
import { buildPassJson } from "../src/apple/pass-json.js";
import { PkpassWriter } from "../src/apple/pkpass.js";
import { CmsSigner } from "../src/apple/signer.js";
import { designOf, mergedView, parseTemplateBody } from "../src/domain/field-model.js";
import { BUILT_IN } from "../src/images/image-store.js";
import type { FakeApns } from "../test/fakes/apns.js";
import { appleTemplate, passCreate } from "../test/fixtures/reference.js";
import { testPki } from "../test/helpers/apple.js";
import { apiCall, autocannonProcess, type Rate, rateOf } from "./api.js";
import type { BenchServer } from "./server.js";

function perSecond(run: () => void, seconds: number): number {
  for (let i = 0; i < 50; i++) run(); // warm up
  let count = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    run();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/**
 * Signed bundles per second on this thread (one core), ours and passkit-generator's, for the reference pass; and
 * bare RSA signatures per second with the same key, the ceiling any signer on this core meets.
 */
export function benchSigning(seconds = 5): { ours: number; passkitGenerator: number; rsaCeiling: number } {
  const pki = testPki();
  const design = designOf(parseTemplateBody(appleTemplate));
  const view = mergedView(design, { headers: passCreate.headers, fields: passCreate.fields });
  const input = {
    templateType: "Store Card",
    projectType: "memberCard",
    headers: view.headers,
    fields: view.fields,
    serialNumber: "6f1c1f5e-2f57-4b1e-9a55-5f7f2c1d9b11",
    authenticationToken: "0123456789abcdef0123456789abcdef",
    webServiceURL: "https://wallet.example.com/apple",
    passTypeIdentifier: pki.passTypeIdentifier,
    teamIdentifier: pki.teamIdentifier,
    organizationName: "Bench",
    description: "Bench pass",
    locations: [{ latitude: 37.618, longitude: -122.374, relevantText: "Hello" }],
    beacons: [],
  };
  const files = [
    { name: "icon.png", id: BUILT_IN.icon.sha256, data: BUILT_IN.icon.data },
    { name: "icon@2x.png", id: BUILT_IN.icon2x.sha256, data: BUILT_IN.icon2x.data },
    { name: "logo.png", id: BUILT_IN.logo.sha256, data: BUILT_IN.logo.data },
    { name: "logo@2x.png", id: BUILT_IN.logo2x.sha256, data: BUILT_IN.logo2x.data },
  ];
  const writer = new PkpassWriter();
  const signer = new CmsSigner({
    certificate: pki.pass.certificate,
    privateKey: pki.pass.privateKey,
    chain: [pki.wwdr.certificate],
  });
  let serial = 0;
  const ours = perSecond(() => {
    // A new pass.json each time, as every pass differs.
    const passJson = buildPassJson({ ...input, serialNumber: `bench-${serial++}` });
    writer.write(signer, { "pass.json": passJson }, files, new Date());
  }, seconds);

  const buffers: Record<string, Buffer> = Object.fromEntries(files.map((f) => [f.name, f.data]));
  buffers["pass.json"] = Buffer.from(JSON.stringify(buildPassJson(input)));
  const certificates = { wwdr: pki.wwdrPem, signerCert: pki.passCertPem, signerKey: pki.passKeyPem };
  const passkitGenerator = perSecond(() => {
    new PKPass(buffers, certificates, { serialNumber: `bench-${serial++}` }).getAsBuffer();
  }, seconds);
  const digestInput = Buffer.alloc(200, 1);
  const rsaCeiling = perSecond(() => sign("sha256", digestInput, pki.pass.privateKey), seconds);
  return { ours: Math.round(ours), passkitGenerator: Math.round(passkitGenerator), rsaCeiling: Math.round(rsaCeiling) };
}

/** Registers one device (its own push token) for every pass of the template. */
export async function registerDevices(server: BenchServer, client: pg.ClientBase, templateId: number): Promise<void> {
  const sample = await apiCall(server, "GET", `/v1/pass?templateId=${templateId}&pageSize=1`);
  const passId = (sample.passes as Array<{ id: number }>)[0]!.id;
  const { passTypeIdentifier } = await apiCall(server, "GET", `/v1/pass/${passId}/viewJSONPass`);
  await client.query(
    `INSERT INTO apple_registrations (device_library_identifier, pass_id, pass_type_identifier, push_token)
     SELECT 'device-' || id, id, $2, md5(id::text) || md5((id * 7)::text) FROM passes WHERE template_id = $1`,
    [templateId, passTypeIdentifier],
  );
}

/**
 * Publishes a bulk update to `count` passes, each installed on its own device: seconds until the fake APNs has
 * received a push for every device.
 */
export async function benchPublishPushes(server: BenchServer, apns: FakeApns, count: number): Promise<number> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench pushes", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await client.query(
    `INSERT INTO passes (account_id, template_id, serial_number, status, platform, installed_at)
     SELECT t.account_id, t.id, gen_random_uuid()::text, 'installed', 'ios', now()
       FROM templates t, generate_series(1, $2) WHERE t.id = $1`,
    [templateId, count],
  );
  await registerDevices(server, client, templateId);
  await client.query("ANALYZE");
  await client.end();
  apns.pushes.length = 0;
  const start = Date.now();
  await apiCall(server, "PUT", `/v1/template/${templateId}/passes`, { fields: { Coupon: { value: "70%" } } });
  const deadline = start + 300_000;
  while (new Set(apns.pushes.map((p) => p.token)).size < count && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const devices = new Set(apns.pushes.map((p) => p.token)).size;
  if (devices < count) throw new Error(`only ${devices} of ${count} devices were pushed within 300 s`);
  return (Date.now() - start) / 1000;
}

/** GET /apple/v1/passes/{ptid}/{serial} at a fixed 500 requests/s: the pass (200, its stored bundle) and 304. */
export async function benchDeviceFetch(server: BenchServer): Promise<Rate[]> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench fetch", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
  const pass = await apiCall(server, "POST", `/v1/pass/${templateId}`, passCreate);
  const passJson = await apiCall(server, "GET", `/v1/pass/${pass.id}/viewJSONPass`);
  const url = `${server.baseUrl}/apple/v1/passes/${passJson.passTypeIdentifier}/${passJson.serialNumber}`;
  const headers = { authorization: `ApplePass ${passJson.authenticationToken}` };
  const rate = async (name: string, extra: Record<string, string>, seconds = 10): Promise<Rate> => {
    const args = ["-c", "8", "-R", "500", "-d", String(seconds)];
    for (const [key, value] of Object.entries({ ...headers, ...extra })) args.push("-H", `${key}=${value}`);
    return rateOf(name, await autocannonProcess([...args, url]));
  };
  await rate("warm-up", {}, 5);
  const full = await rate("device fetch 200 (stored bundle)", {});
  // Settle the pass (changed long enough ago), then ask as a device that has the current version.
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await client.query("UPDATE passes SET updated_at = now() - interval '5 minutes' WHERE id = $1", [pass.id]);
  await client.end();
  const lastModified = (await fetch(url, { headers })).headers.get("last-modified")!;
  await rate("warm-up", { "if-modified-since": lastModified }, 5);
  const notModified = await rate("device fetch 304", { "if-modified-since": lastModified });
  return [full, notModified];
}

/**
 * `count` distinct passes installed on their own devices, 8 requests at a time, as phones do it: each device
 * registers (POST …/registrations: the install), then fetches its pass (signed then, and stored), then fetches it
 * again (served from the stored bundle). Requests per second of each step.
 */
export async function benchDevices(
  server: BenchServer,
  count = 5000,
): Promise<{ installs: number; uncached: number; cached: number }> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench bundles", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
  const first = await apiCall(server, "POST", `/v1/pass/${templateId}`, passCreate);
  const { passTypeIdentifier } = await apiCall(server, "GET", `/v1/pass/${first.id}/viewJSONPass`);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await client.query(
    `INSERT INTO passes (account_id, template_id, serial_number, overrides)
     SELECT t.account_id, t.id, gen_random_uuid()::text, $3::jsonb FROM templates t, generate_series(2, $2) WHERE t.id = $1`,
    [templateId, count, JSON.stringify({ fields: { Coupon: { value: "bench" } } })],
  );
  const { rows } = await client.query<{ serial_number: string; authentication_token: string }>(
    "SELECT serial_number, authentication_token FROM passes WHERE template_id = $1",
    [templateId],
  );
  await client.end();
  const round = async (install: boolean) => {
    let next = 0;
    const start = performance.now();
    const lane = async () => {
      while (next < rows.length) {
        const i = next++;
        const pass = rows[i]!;
        // Phones come from many addresses (the bench server trusts loopback as its proxy).
        const headers = {
          authorization: `ApplePass ${pass.authentication_token}`,
          "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        };
        const response = install
          ? await fetch(
              `${server.baseUrl}/apple/v1/devices/bench-device-${i}/registrations/${passTypeIdentifier}/${pass.serial_number}`,
              {
                method: "POST",
                headers: { ...headers, "content-type": "application/json" },
                body: JSON.stringify({ pushToken: `${i}`.padStart(64, "0") }),
              },
            )
          : await fetch(`${server.baseUrl}/apple/v1/passes/${passTypeIdentifier}/${pass.serial_number}`, { headers });
        if (response.status !== (install ? 201 : 200)) throw new Error(`device request answered ${response.status}`);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    return Math.round(rows.length / ((performance.now() - start) / 1000));
  };
  const installs = await round(true);
  const uncached = await round(false);
  const cached = await round(false);
  return { installs, uncached, cached };
}
