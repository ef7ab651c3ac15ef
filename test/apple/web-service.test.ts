// The PassKit web service and APNs, walked as a phone does: download → register → a field changes → the fake
// APNs (HTTP/2 over TLS on loopback) receives the push → list serials since the tag → fetch 200, then 304 →
// unregister. Plus 401s, APNs 410/500/429 handling, one push per device per burst, personalization, token auth.
import { generateKeyPairSync, verify } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApnsClient } from "../../src/apple/apns.js";
import { type FakeApns, startFakeApns } from "../fakes/apns.js";
import { appleMemberTemplate, appleTemplate } from "../fixtures/reference.js";
import { isJsonError, startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki, unpack, verifyBundle, verifyDetached } from "../helpers/apple.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let pki: TestPki;
let apns: FakeApns;
let projectId: number;
let templateId: number;

beforeAll(async () => {
  pki = testPki();
  apns = await startFakeApns();
  server = await startTestServer({
    apple: pki.setup,
    worker: true,
    apns: { host: apns.host, ca: apns.ca, backoffMs: 5, timeoutMs: 2000 },
  });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Web service", projectType: "memberCard" } }))
    .json.id;
  templateId = (
    await server.call("POST", `/v1/template/${projectId}`, {
      body: appleMemberTemplate,
    })
  ).json.templateId;
});
afterAll(async () => {
  await server.close();
  await apns.close();
});

interface Installed {
  passId: number;
  serial: string;
  token: string;
  ptid: string;
}

/** What a device knows of a pass (its pass.json), for the PassKit web service calls. */
async function installedOf(passId: number): Promise<Installed & { webServiceURL: string }> {
  const passJson = (await server.call("GET", `/v1/pass/${passId}/viewJSONPass`)).json;
  return {
    passId,
    serial: passJson.serialNumber,
    token: passJson.authenticationToken,
    ptid: passJson.passTypeIdentifier,
    webServiceURL: passJson.webServiceURL,
  };
}

async function newPass(): Promise<Installed> {
  const created = await server.call("POST", `/v1/pass/${templateId}`, { body: {} });
  expect(created.status).toBe(200);
  const pkpass = await server.call("GET", `/v1/pass/${created.json.id}/download`);
  const pass = await installedOf(created.json.id);
  expect(pkpass.status).toBe(200);
  expect(pass.webServiceURL).toBe(`${server.baseUrl}/apple`);
  return pass;
}

function ws(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `ApplePass ${options.token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  return fetch(`${server.baseUrl}/apple${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

const register = (device: string, pass: Installed, pushToken: string, token = pass.token) =>
  ws("POST", `/v1/devices/${device}/registrations/${pass.ptid}/${pass.serial}`, { token, body: { pushToken } });

const pushesTo = (token: string) => apns.pushes.filter((p) => p.token === token);

describe("a phone's life", () => {
  it("registers, is pushed a change, lists it, fetches it (200 then 304) and unregisters", async () => {
    const pass = await newPass();
    const first = await register("device1", pass, "aa11");
    expect(first.status).toBe(201);
    expect((await register("device1", pass, "aa11")).status).toBe(200);
    const installed = (await server.call("GET", `/v1/pass/${pass.passId}`)).json;
    expect(installed).toMatchObject({ status: "installed", platform: "ios" });
    expect(installed.installedAt).toBeDefined();

    const listed = await ws("GET", `/v1/devices/device1/registrations/${pass.ptid}`);
    expect(listed.status).toBe(200);
    const list = (await listed.json()) as { serialNumbers: string[]; lastUpdated: string };
    expect(list.serialNumbers).toEqual([pass.serial]);
    expect(typeof list.lastUpdated).toBe("string");

    const update = await server.call("PUT", `/v1/pass/${pass.passId}`, {
      body: { fields: { Coupon: { value: "50%" } } },
    });
    expect(update.status).toBe(200);
    expect(update.json.ticketId).toBeGreaterThan(0);
    const [push] = await until(
      async () => pushesTo("aa11"),
      (p) => p.length >= 1,
    );
    expect(push).toMatchObject({ topic: pass.ptid, pushType: "background", body: "{}" });
    expect(push!.clientSubject).toContain(pass.ptid); // certificate auth: the pass certificate is the client

    const since = await ws(
      "GET",
      `/v1/devices/device1/registrations/${pass.ptid}?passesUpdatedSince=${list.lastUpdated}`,
    );
    expect(since.status).toBe(200);
    expect(((await since.json()) as { serialNumbers: string[] }).serialNumbers).toEqual([pass.serial]);

    const latest = await ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, { token: pass.token });
    expect(latest.status).toBe(200);
    expect(latest.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
    const bundle = verifyBundle(Buffer.from(await latest.arrayBuffer()), pki.files.root);
    expect((bundle.passJson.storeCard as { primaryFields: Array<{ value: string }> }).primaryFields[0]!.value).toBe(
      "50%",
    );

    // A change settles (no transaction can still commit an older one); then If-Modified-Since gets a 304.
    await server.database.query("UPDATE passes SET updated_at = now() - interval '5 minutes' WHERE id = $1", [
      pass.passId,
    ]);
    const settled = await ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, { token: pass.token });
    const lastModified = settled.headers.get("last-modified")!;
    expect(settled.status).toBe(200);
    const notModified = await ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, {
      token: pass.token,
      headers: { "if-modified-since": lastModified },
    });
    expect(notModified.status).toBe(304);
    expect((await notModified.arrayBuffer()).byteLength).toBe(0);
    const older = await ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, {
      token: pass.token,
      headers: { "if-modified-since": new Date(Date.parse(lastModified) - 60_000).toUTCString() },
    });
    expect(older.status).toBe(200);

    const all = (await (await ws("GET", `/v1/devices/device1/registrations/${pass.ptid}`)).json()) as {
      lastUpdated: string;
    };
    const none = await ws(
      "GET",
      `/v1/devices/device1/registrations/${pass.ptid}?passesUpdatedSince=${all.lastUpdated}`,
    );
    expect(none.status).toBe(204);

    const removed = await ws("DELETE", `/v1/devices/device1/registrations/${pass.ptid}/${pass.serial}`, {
      token: pass.token,
    });
    expect(removed.status).toBe(200);
    const after = (await server.call("GET", `/v1/pass/${pass.passId}`)).json;
    expect(after.status).toBe("uninstalled");
    expect(after.uninstalledAt).toBeDefined();
  });

  it("marks a single-use public link used once a device installs the pass, and counts installs", async () => {
    const created = await server.call("POST", `/v1/pass/${templateId}`, { body: { publicUrl: { type: "single" } } });
    const pass = await installedOf(created.json.id);
    const link = created.json.publicUrl.path as string;
    expect((await fetch(link)).status).toBe(200);
    expect((await register("device-link", pass, "ab12")).status).toBe(201);
    const after = (await server.call("GET", `/v1/pass/${pass.passId}`)).json;
    expect(after.publicUrl).toMatchObject({ used: true, installs: 1 });
    expect((await fetch(link)).status).toBe(410);
  });

  it("serves voided and expired passes with voided/expirationDate set", async () => {
    const pass = await newPass();
    await server.call("PUT", `/v1/pass/${pass.passId}`, {
      body: { headers: { expirationDate: { value: "2020-01-01T00:00:00Z", label: "voided" } } },
    });
    const latest = await ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, { token: pass.token });
    const { passJson } = unpack(Buffer.from(await latest.arrayBuffer()));
    expect(passJson).toMatchObject({ voided: true, expirationDate: "2020-01-01T00:00:00Z" });
  });
});

describe("authorization", () => {
  it("answers 401 with no pass bytes for a wrong or missing ApplePass token or a wrong pass type", async () => {
    const pass = await newPass();
    const attempts = [
      register("device-x", pass, "bb22", "wrong-token-wrong-token"),
      ws("POST", `/v1/devices/device-x/registrations/${pass.ptid}/${pass.serial}`, { body: { pushToken: "bb22" } }),
      ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`),
      ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, { token: `${pass.token.slice(0, -1)}x` }),
      ws("GET", `/v1/passes/pass.com.other/${pass.serial}`, { token: pass.token }),
      ws("GET", `/v1/passes/${pass.ptid}/no-such-serial`, { token: pass.token }),
      ws("DELETE", `/v1/devices/device-x/registrations/${pass.ptid}/${pass.serial}`, { token: "nope-nope-nope-nope" }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.status).toBe(401);
      expect(response.headers.get("content-type")).toContain("application/json");
      const body = (await response.json()) as { code: string };
      expect(body.code).toBe("UNAUTHORIZED");
    }
    const registrations = await server.database.query("SELECT 1 FROM apple_registrations WHERE pass_id = $1", [
      pass.passId,
    ]);
    expect(registrations.rowCount).toBe(0);
  });

  it("rejects malformed registrations with a JSON 400", async () => {
    const pass = await newPass();
    const response = await ws("POST", `/v1/devices/device-y/registrations/${pass.ptid}/${pass.serial}`, {
      token: pass.token,
      body: { pushToken: "" },
    });
    expect(response.status).toBe(400);
    expect(isJsonError({ status: 400, headers: response.headers, text: "", json: await response.json() })).toBe(true);
  });

  it("accepts Wallet's log messages", async () => {
    const response = await ws("POST", "/v1/log", { body: { logs: ["[2026-11-23] Web service error: 500"] } });
    expect(response.status).toBe(200);
  });
});

describe("APNs answers", () => {
  it("deletes a registration APNs reports Unregistered (410)", async () => {
    const pass = await newPass();
    await register("device-gone", pass, "cc33");
    apns.respond = (push) => (push.token === "cc33" ? { status: 410, reason: "Unregistered" } : { status: 200 });
    await server.call("PUT", `/v1/pass/${pass.passId}`, { body: { fields: { Coupon: { value: "1%" } } } });
    const rows = await until(
      async () => (await server.database.query("SELECT 1 FROM apple_registrations WHERE push_token = 'cc33'")).rowCount,
      (n) => n === 0,
    );
    expect(rows).toBe(0);
    expect((await server.call("GET", `/v1/pass/${pass.passId}`)).json.status).toBe("uninstalled");
    apns.respond = () => ({ status: 200 });
  });

  it("retries after 500 and 429, then delivers", async () => {
    const pass = await newPass();
    await register("device-flaky", pass, "dd44");
    const answers: Array<{ status: number; reason?: string }> = [
      { status: 500, reason: "InternalServerError" },
      { status: 429, reason: "TooManyRequests" },
      { status: 200 },
    ];
    apns.respond = (push) => (push.token === "dd44" ? (answers.shift() ?? { status: 200 }) : { status: 200 });
    await server.call("PUT", `/v1/pass/${pass.passId}`, { body: { fields: { Coupon: { value: "2%" } } } });
    const pushes = await until(
      async () => pushesTo("dd44"),
      (p) => p.length >= 3,
    );
    expect(pushes.length).toBeGreaterThanOrEqual(3);
    expect((await server.database.query("SELECT 1 FROM apple_registrations WHERE push_token = 'dd44'")).rowCount).toBe(
      1,
    );
    apns.respond = () => ({ status: 200 });
  });

  it("retries only the pushes that failed: a job that fails for one device does not push the others again", async () => {
    const ownTemplate = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json
      .templateId;
    const devices = ["ab01", "ab02", "ab03"];
    for (const [i, token] of devices.entries()) {
      const created = await server.call("POST", `/v1/pass/${ownTemplate}`, { body: {} });
      const pass = await installedOf(created.json.id);
      expect((await register(`device-partial-${i}`, pass, token)).status).toBe(201);
    }
    await server.database.query(
      `INSERT INTO passes (account_id, template_id, serial_number) SELECT $1, $2, gen_random_uuid()::text FROM generate_series(1, 30)`,
      [server.credentials.accountId, ownTemplate],
    );
    // ab02 fails every in-process attempt (4) of the first run, so the job fails and is retried.
    let failures = 4;
    apns.respond = (push) =>
      push.token === "ab02" && failures-- > 0 ? { status: 503, reason: "ServiceUnavailable" } : { status: 200 };
    await server.call("PUT", `/v1/template/${ownTemplate}/passes`, { body: { fields: { Coupon: { value: "42%" } } } });
    await until(
      async () => pushesTo("ab02"),
      (p) => p.length >= 5,
      15_000,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(pushesTo("ab01")).toHaveLength(1);
    expect(pushesTo("ab03")).toHaveLength(1);
    expect(pushesTo("ab02")).toHaveLength(5);
    apns.respond = () => ({ status: 200 });
  });

  it("pushes a device once when a bulk update changes several of its passes", async () => {
    const ownTemplate = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json
      .templateId;
    const passes: Installed[] = [];
    for (let i = 0; i < 3; i++) {
      const created = await server.call("POST", `/v1/pass/${ownTemplate}`, { body: {} });
      passes.push(await installedOf(created.json.id));
    }
    for (const pass of passes) expect((await register("device-many", pass, "ee55")).status).toBe(201);
    // Enough other passes for the change to be a batch event.
    await server.database.query(
      `INSERT INTO passes (account_id, template_id, serial_number) SELECT $1, $2, gen_random_uuid()::text FROM generate_series(1, 30)`,
      [server.credentials.accountId, ownTemplate],
    );
    const ticket = await server.call("PUT", `/v1/template/${ownTemplate}/passes`, {
      body: { fields: { Coupon: { value: "99%" } } },
    });
    expect(ticket.status).toBe(200);
    await until(
      async () => pushesTo("ee55"),
      (p) => p.length >= 1,
    );
    await new Promise((r) => setTimeout(r, 1500));
    expect(pushesTo("ee55")).toHaveLength(1);
  });
});

describe("publishing a template change", () => {
  it("pushes every registered device once, then serves each device the updated pass", async () => {
    const DEVICES = 150;
    const ownTemplate = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json
      .templateId;
    await server.database.query(
      `INSERT INTO passes (account_id, template_id, serial_number) SELECT $1, $2, gen_random_uuid()::text FROM generate_series(1, $3)`,
      [server.credentials.accountId, ownTemplate, DEVICES],
    );
    const { rows } = await server.database.query<{ id: number; serial_number: string; authentication_token: string }>(
      "SELECT id, serial_number, authentication_token FROM passes WHERE template_id = $1 ORDER BY id",
      [ownTemplate],
    );
    const ptid = pki.passTypeIdentifier;
    const tags = new Map<string, string>();
    for (const [i, row] of rows.entries()) {
      const pass = { passId: row.id, serial: row.serial_number, token: row.authentication_token, ptid };
      expect((await register(`pub-device-${i}`, pass, `pub${i.toString(16).padStart(4, "0")}`)).status).toBe(201);
      const listed = (await (await ws("GET", `/v1/devices/pub-device-${i}/registrations/${ptid}`)).json()) as {
        lastUpdated: string;
      };
      tags.set(`pub-device-${i}`, listed.lastUpdated);
    }
    const publish = await server.call("PUT", `/v1/template/${ownTemplate}/passes`, {
      body: { fields: { Coupon: { value: "PUBLISHED" } } },
    });
    expect(publish.status).toBe(200);
    const pushed = await until(
      async () => new Set(apns.pushes.filter((p) => p.token.startsWith("pub")).map((p) => p.token)),
      (tokens) => tokens.size >= DEVICES,
    );
    expect(pushed.size).toBe(DEVICES);
    expect(apns.pushes.filter((p) => p.token.startsWith("pub"))).toHaveLength(DEVICES); // once each
    for (const [i, row] of rows.entries()) {
      const device = `pub-device-${i}`;
      const since = await ws(
        "GET",
        `/v1/devices/${device}/registrations/${ptid}?passesUpdatedSince=${tags.get(device)}`,
      );
      expect(since.status).toBe(200);
      expect(((await since.json()) as { serialNumbers: string[] }).serialNumbers).toEqual([row.serial_number]);
      if (i % 15 !== 0) continue; // fetch and verify a sample of the bundles
      const latest = await ws("GET", `/v1/passes/${ptid}/${row.serial_number}`, { token: row.authentication_token });
      const bundle = verifyBundle(Buffer.from(await latest.arrayBuffer()), pki.files.root);
      expect((bundle.passJson.storeCard as { primaryFields: Array<{ value: string }> }).primaryFields[0]!.value).toBe(
        "PUBLISHED",
      );
    }
  }, 60_000);
});

describe("personalization", () => {
  it("signs the personalization token and hands out the personalized pass", async () => {
    await server.call("POST", `/v1/template/${templateId}/personalization`, {
      body: { requiredPersonalizationFields: ["name", "emailAddress"], description: "Join the club" },
    });
    const pass = await newPass();
    const first = unpack(
      Buffer.from(
        await (await ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, { token: pass.token })).arrayBuffer(),
      ),
    );
    expect(first.files["personalization.json"]).toBeDefined();

    const token = "personalization-token-123";
    const response = await ws("POST", `/v1/passes/${pass.ptid}/${pass.serial}/personalize`, {
      body: {
        personalizationToken: token,
        requiredPersonalizationInfo: { fullName: "Ada Lovelace", emailAddress: "ada@example.com" },
      },
    });
    expect(response.status).toBe(200);
    const signature = Buffer.from(await response.arrayBuffer());
    const dir = first.dir;
    writeFileSync(join(dir, "token"), token);
    writeFileSync(join(dir, "token.sig"), signature);
    verifyDetached(join(dir, "token.sig"), join(dir, "token"), pki.files.root);

    const personalized = verifyBundle(
      Buffer.from(
        await (await ws("GET", `/v1/passes/${pass.ptid}/${pass.serial}`, { token: pass.token })).arrayBuffer(),
      ),
      pki.files.root,
    );
    expect(personalized.files["personalization.json"]).toBeUndefined();
    const back = (personalized.passJson.storeCard as { backFields: Array<{ key: string; value: string }> }).backFields;
    expect(back.find((f) => f.key === "name")?.value).toBe("Ada Lovelace");
    await server.call("DELETE", `/v1/template/${templateId}/personalization`);
  });
});

describe("token authentication", () => {
  it("sends an ES256 provider token that verifies with the .p8 key's public half", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const client = new ApnsClient({
      host: apns.host,
      ca: apns.ca,
      token: { key: privateKey, keyId: "KEY1234567", teamId: "TEAM123456" },
    });
    try {
      expect(await client.push({ pushToken: "ff66", topic: "pass.com.example.test" })).toBe("sent");
    } finally {
      client.close();
    }
    const push = pushesTo("ff66")[0]!;
    const jwt = push.authorization!.replace(/^bearer /, "");
    const [head, claims, sig] = jwt.split(".");
    expect(JSON.parse(Buffer.from(head!, "base64url").toString())).toEqual({ alg: "ES256", kid: "KEY1234567" });
    expect(JSON.parse(Buffer.from(claims!, "base64url").toString()).iss).toBe("TEAM123456");
    const ok = verify(
      "sha256",
      Buffer.from(`${head}.${claims}`),
      { key: publicKey, dsaEncoding: "ieee-p1363" },
      Buffer.from(sig!, "base64url"),
    );
    expect(ok).toBe(true);
    expect(push.clientSubject).toBeUndefined();
  });
});
