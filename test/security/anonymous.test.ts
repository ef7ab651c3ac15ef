// Attacks on what anyone can reach without credentials, and on what an API client can make the server do: each
// test is the exact attack, and what must hold afterwards (nothing fetched, nothing signed, nothing changed).
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Listener, startListener } from "../fakes/listener.js";
import { appleMemberTemplate, appleTemplate } from "../fixtures/reference.js";
import { isJsonError, startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki, unpack, verifyDetached } from "../helpers/apple.js";

let server: TestServer;
let pki: TestPki;
let target: Listener;
let projectId: number;
let templateId: number;

const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1";
const DESKTOP = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36";

beforeAll(async () => {
  pki = testPki();
  target = await startListener();
  // No allowlist: the server runs as it would on the internet.
  server = await startTestServer({ apple: pki.setup, outbound: { allowlist: [], allowHttp: false } });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Hostile", projectType: "memberCard" } })).json
    .id;
  templateId = (
    await server.call("POST", `/v1/template/${projectId}`, {
      body: appleMemberTemplate,
    })
  ).json.templateId;
});
afterAll(async () => {
  await server.close();
  await target.close();
});

const open = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}${path}`, { redirect: "manual", headers });

async function link(body: Record<string, unknown> = {}) {
  const response = await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: templateId, ...body } });
  expect(response.status, response.text).toBe(200);
  return response.json.adaptiveLinkId as string;
}

describe("server-side requests", () => {
  it("refuses image URLs naming loopback in every spelling, with one generic message, fetching nothing", async () => {
    const p = target.port;
    for (const url of [
      `https://127.1:${p}/logo.png`,
      `https://2130706433:${p}/logo.png`,
      `https://0x7f.0.0.1:${p}/logo.png`,
      `https://[::ffff:127.0.0.1]:${p}/logo.png`,
      `https://0.0.0.0:${p}/logo.png`,
      `https://localhost:${p}/logo.png`,
      `http://127.0.0.1:${p}/logo.png`,
    ]) {
      const response = await server.call("POST", `/v1/template/${projectId}`, {
        body: { ...appleTemplate, headers: { ...appleTemplate.headers, strip_image: { value: url } } },
      });
      expect(response.status, url).toBe(400);
      expect(isJsonError(response)).toBe(true);
      expect(response.json.error).toMatch(/strip_image.*(could not be fetched|must be an https URL)/);
      expect(response.json.error).not.toMatch(/ECONNREFUSED|port|refused|timed out/i);
    }
    expect(target.requests).toEqual([]);
  });

  it("lets anonymous link visitors set no image, organization or description, only the template's fields", async () => {
    const id = await link();
    const response = await open(
      `/v1/pass/adaptive/${id}/ios?strip_image=${encodeURIComponent(`${target.url}/x.png`)}` +
        `&logo_image=${encodeURIComponent(`${target.url}/y.png`)}&organizationName=Evil%20Corp&description=Pay%20here` +
        "&background_color=rgb(0,0,0)&name=Ada",
      { "user-agent": IPHONE },
    );
    expect(response.status).toBe(200);
    const pass = unpack(Buffer.from(await response.arrayBuffer())).passJson;
    expect(pass.organizationName).not.toBe("Evil Corp");
    expect(pass.description).not.toBe("Pay here");
    expect(pass.backgroundColor).toBe("rgb(49, 159, 196)");
    const back = (pass.storeCard as { backFields: { key: string; value: string }[] }).backFields;
    expect(back.find((f) => f.key === "name")?.value).toBe("Ada");
    expect(target.requests).toEqual([]);
  });

  it("never posts a Google assertion to a token_uri a tenant names", async () => {
    const { privateKey } = await import("node:crypto").then((c) =>
      c.generateKeyPairSync("rsa", { modulusLength: 2048 }),
    );
    const response = await server.call("PUT", `/v1/project/${projectId}/google/credentials`, {
      body: {
        issuerId: "3388000000012345678",
        serviceAccount: {
          type: "service_account",
          client_email: "wallet@x.iam.gserviceaccount.com",
          private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
          token_uri: `${target.url}/token`,
        },
      },
    });
    expect(response.status).toBe(400);
    expect(response.json.error).toMatch(/token_uri must be Google's token endpoint/);
    expect(target.requests).toEqual([]);
  });
});

describe("adaptive link parameters", () => {
  it("answers 400 for more than 15 tags, and hides whether an external id exists", async () => {
    const id = await link({ isPersonalized: true });
    const tags = Array.from({ length: 16 }, (_, i) => `t${i}`).join("~");
    const many = await open(`/v1/pass/adaptive/${id}/ios?tags=${tags}`, { "user-agent": IPHONE });
    expect(many.status).toBe(400);
    expect(((await many.json()) as { error: string }).error).toMatch(/at most 15 tags/);
    const fifteen = Array.from({ length: 15 }, (_, i) => `t${i}`).join("~");
    expect((await open(`/v1/pass/adaptive/${id}/ios?tags=${fifteen}`)).status).toBe(200);

    await server.call("POST", `/v1/pass/${templateId}/id/secret-member-42`, { body: {} });
    const taken = await open(`/v1/pass/adaptive/${id}/ios?exid=secret-member-42`);
    expect(taken.status).toBe(409);
    const text = await taken.text();
    expect(text).not.toMatch(/secret-member-42|external/i);
  });

  it("redirects desktop browsers to a non-Latin-1 landing page URL, percent-encoded; refuses non-http(s) ones", async () => {
    const id = await link({ landingPageUrl: "https://例え.jp/ü?q=é" });
    const got = await server.call("GET", `/v1/links/adaptive/${id}`);
    expect(got.json.landingPageUrl).toBe("https://xn--r8jz45g.jp/%C3%BC?q=%C3%A9");
    const response = await open(`/v1/pass/adaptive/${id}`, { "user-agent": DESKTOP });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://xn--r8jz45g.jp/%C3%BC?q=%C3%A9");
    // A URL stored raw before this check still redirects safely.
    await server.database.query("UPDATE adaptive_links SET landing_page_url = $1 WHERE id = $2", [
      "https://例え.jp/ü",
      id,
    ]);
    const raw = await open(`/v1/pass/adaptive/${id}`, { "user-agent": DESKTOP });
    expect(raw.status).toBe(302);
    expect(raw.headers.get("location")).toBe("https://xn--r8jz45g.jp/%C3%BC");
    for (const landingPageUrl of ["javascript:alert(1)", "ftp://example.com/", "https://user:pw@example.com/", "//x"]) {
      const bad = await server.call("POST", "/v1/links/adaptive", {
        body: { iosTemplateId: templateId, landingPageUrl },
      });
      expect(bad.status, landingPageUrl).toBe(400);
    }
  });
});

interface ApplePass {
  serial: string;
  token: string;
  ptid: string;
}

async function applePass(template = templateId): Promise<ApplePass> {
  const created = await server.call("POST", `/v1/pass/${template}`, { body: {} });
  const json = (await server.call("GET", `/v1/pass/${created.json.id}/viewJSONPass`)).json;
  return { serial: json.serialNumber, token: json.authenticationToken, ptid: json.passTypeIdentifier };
}

const ws = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}/apple${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  });

describe("personalize", () => {
  let personalTemplateId: number;
  beforeAll(async () => {
    personalTemplateId = (
      await server.call("POST", `/v1/template/${projectId}`, {
        body: appleMemberTemplate,
      })
    ).json.templateId;
    const set = await server.call("POST", `/v1/template/${personalTemplateId}/personalization`, {
      body: { requiredPersonalizationFields: ["name"], description: "Join" },
    });
    expect(set.status).toBe(200);
  });

  it("signs nothing for a pass whose template does not ask for personalization", async () => {
    const pass = await applePass(templateId);
    const manifest = JSON.stringify({ "pass.json": "0".repeat(40) });
    for (const personalizationToken of [manifest, "abc123"]) {
      const response = await ws(`/v1/passes/${pass.ptid}/${pass.serial}/personalize`, {
        personalizationToken,
        requiredPersonalizationInfo: { fullName: "Mallory" },
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(response.headers.get("content-type")).toMatch(/json/);
    }
    const { rows } = await server.database.query("SELECT personalization FROM passes WHERE serial_number = $1", [
      pass.serial,
    ]);
    expect(rows[0]?.personalization).toBeNull();
  });

  it("refuses manifest-shaped or oversized tokens, a wrong ApplePass header, and a second sign-up", async () => {
    const pass = await applePass(personalTemplateId);
    const path = `/v1/passes/${pass.ptid}/${pass.serial}/personalize`;
    const info = { fullName: "Ada Lovelace", emailAddress: "ignored@example.com" };
    for (const personalizationToken of ['{"pass.json":"00"}', "a".repeat(1025), "tok en", "x\u0000"]) {
      const response = await ws(path, { personalizationToken, requiredPersonalizationInfo: info });
      expect(response.status, personalizationToken.slice(0, 20)).toBe(400);
    }
    expect(
      (
        await ws(
          path,
          { personalizationToken: "abc", requiredPersonalizationInfo: info },
          { authorization: "ApplePass wrong" },
        )
      ).status,
    ).toBe(401);
    expect((await ws(path, { personalizationToken: "abc", requiredPersonalizationInfo: {} })).status).toBe(400);

    const token = "VGhpcyBpcyBXYWxsZXQncyB0b2tlbg==";
    const first = await ws(path, { personalizationToken: token, requiredPersonalizationInfo: info });
    expect(first.status).toBe(200);
    const dir = mkdtempSync(join(tmpdir(), "personalize-"));
    writeFileSync(join(dir, "token"), token);
    writeFileSync(join(dir, "token.sig"), Buffer.from(await first.arrayBuffer()));
    verifyDetached(join(dir, "token.sig"), join(dir, "token"), pki.files.root);

    const replay = await ws(path, {
      personalizationToken: token,
      requiredPersonalizationInfo: { fullName: "Mallory" },
    });
    expect(replay.status).toBe(409);
    const { rows } = await server.database.query("SELECT personalization FROM passes WHERE serial_number = $1", [
      pass.serial,
    ]);
    // The first holder's data, and only what the template asked for.
    expect(rows[0]?.personalization).toEqual({ fullName: "Ada Lovelace" });
  });

  it("rate-limits sign-up attempts per pass", async () => {
    const pass = await applePass(personalTemplateId);
    const path = `/v1/passes/${pass.ptid}/${pass.serial}/personalize`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const response = await ws(path, { personalizationToken: "abc", requiredPersonalizationInfo: {} });
      statuses.push(response.status);
      if (response.status === 429) expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
    }
    expect(statuses.slice(0, 5)).toEqual([400, 400, 400, 400, 400]);
    expect(statuses.slice(5)).toEqual([429, 429]);
  });
});

describe("device registrations", () => {
  it("rate-limits registrations per client address (429 with Retry-After)", async () => {
    const pass = await applePass();
    const register = (device: string) =>
      ws(
        `/v1/devices/${device}/registrations/${pass.ptid}/${pass.serial}`,
        { pushToken: "ab12" },
        {
          authorization: `ApplePass ${pass.token}`,
        },
      );
    const statuses = new Map<number, number>();
    let retryAfter: string | null = null;
    for (let i = 0; i < 310; i++) {
      const response = await register(`device${i}`);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 429) retryAfter = response.headers.get("retry-after");
    }
    expect(statuses.get(201)).toBe(300);
    expect(statuses.get(429)).toBe(10);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    const { rows } = await server.database.query(
      "SELECT count(*)::int AS n FROM apple_registrations r JOIN passes p ON p.id = r.pass_id WHERE p.serial_number = $1",
      [pass.serial],
    );
    expect(rows[0]?.n).toBe(300);
  });

  it("caps the devices of one pass", async () => {
    const created = await server.call("POST", `/v1/pass/${templateId}`, { body: {} });
    const registrations = server.app.apple.registrations;
    expect(await registrations.register("d1", created.json.id, pki.passTypeIdentifier, "aa", 2)).toBe("created");
    expect(await registrations.register("d2", created.json.id, pki.passTypeIdentifier, "bb", 2)).toBe("created");
    expect(await registrations.register("d3", created.json.id, pki.passTypeIdentifier, "cc", 2)).toBe("full");
    // A known device still refreshes its push token.
    expect(await registrations.register("d1", created.json.id, pki.passTypeIdentifier, "dd", 2)).toBe("refreshed");
  });
});

describe("anonymous bodies and logs", () => {
  it("refuses large bodies on the web service and the Google callback, and rate-limits Wallet's log route", async () => {
    const big = JSON.stringify({ logs: ["x".repeat(100_000)] });
    for (const path of ["/apple/v1/log", "/google/callback"]) {
      const response = await fetch(`${server.baseUrl}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: big,
      });
      expect(response.status, path).toBe(413);
      expect(((await response.json()) as { code: string }).code).toBeTypeOf("string");
    }
    const statuses: number[] = [];
    for (let i = 0; i < 62; i++) {
      const response = await fetch(`${server.baseUrl}/apple/v1/log`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ logs: [`message ${i}`] }),
      });
      statuses.push(response.status);
    }
    expect(statuses.filter((s) => s === 200)).toHaveLength(60);
    expect(statuses.slice(60)).toEqual([429, 429]);
  });
});

describe("bootstrap", () => {
  it("two servers ensuring the same key at once both succeed", async () => {
    const secret = "s".repeat(40);
    const results = await Promise.all([
      server.app.apiKeys.ensure("wk_bootstrap", secret),
      server.app.apiKeys.ensure("wk_bootstrap", secret),
      server.app.apiKeys.ensure("wk_bootstrap", secret),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const { rows } = await server.database.query("SELECT count(*)::int AS n FROM api_keys WHERE key = 'wk_bootstrap'");
    expect(rows[0]?.n).toBe(1);
    await expect(server.app.apiKeys.ensure("wk_bootstrap", "t".repeat(40))).rejects.toThrow(/different secret/);
  });
});
