// Text and sizes at the edge: NUL and lone surrogates anywhere (names, keys, values, path ids, query parameters),
// JSON nested 10,000 deep, ids past every integer type, and the documented bounds. Each must be a 400 with the
// JSON error, never a 500, and write nothing. Plus the log redaction of secret-bearing parameters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { redactUrl } from "../../src/http/logging.js";
import { collectUnreferencedImages } from "../../src/images/image-repository.js";
import { appleTemplate } from "../fixtures/reference.js";
import { isJsonError, startTestServer, type TestResponse, type TestServer } from "../helpers/app.js";
import { pngFixture } from "../helpers/apple.js";
import { testPool } from "../helpers/database.js";

let server: TestServer;
let projectId: number;
let templateId: number;
let passId: number;
let linkId: string;
let serial: string;
let ptid: string;

beforeAll(async () => {
  server = await startTestServer();
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Edge", projectType: "memberCard" } })).json.id;
  templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  passId = (await server.call("POST", `/v1/pass/${templateId}/id/edge-1`, { body: { tags: ["a"] } })).json.id;
  linkId = (
    await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: templateId, isPersonalized: true } })
  ).json.adaptiveLinkId;
  const json = (await server.call("GET", `/v1/pass/${passId}/viewJSONPass`)).json;
  serial = json.serialNumber;
  ptid = json.passTypeIdentifier;
});
afterAll(() => server.close());

async function snapshot(): Promise<string> {
  const { rows } = await server.database.query(
    `SELECT (SELECT count(*) FROM projects) AS projects, (SELECT count(*) FROM templates) AS templates,
            (SELECT count(*) FROM passes) AS passes, (SELECT count(*) FROM tags) AS tags,
            (SELECT count(*) FROM pass_tags) AS pass_tags, (SELECT count(*) FROM locations) AS locations,
            (SELECT count(*) FROM adaptive_links) AS links, (SELECT max(updated_at) FROM passes) AS passes_at,
            (SELECT max(updated_at) FROM templates) AS templates_at, (SELECT max(updated_at) FROM projects) AS projects_at`,
  );
  return JSON.stringify(rows[0]);
}

async function expectRejected(response: TestResponse | Response, what: string) {
  const status = response.status;
  const text =
    "text" in response && typeof response.text === "string" ? response.text : await (response as Response).text();
  expect(status, `${what}: ${text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(status, what).toBeLessThan(500);
  const json = JSON.parse(text);
  expect(typeof json.error, what).toBe("string");
  expect(typeof json.code, what).toBe("string");
}

describe("malformed text", () => {
  it("answers 400 for NUL and lone surrogates in bodies, keys, paths and query parameters, writing nothing", async () => {
    const before = await snapshot();
    const nul = "a\u0000b";
    const bodies: [string, string, unknown][] = [
      ["POST", "/v1/project", { name: nul, projectType: "loyalty" }],
      ["POST", "/v1/project", { name: "x", description: nul, projectType: "loyalty" }],
      ["POST", "/v1/project", { name: "x", projectType: "loyalty", settings: { [nul]: 1 } }],
      ["POST", `/v1/template/${projectId}`, { ...appleTemplate, name: nul }],
      ["POST", `/v1/template/${projectId}`, { ...appleTemplate, fields: { [nul]: { value: "x", fieldType: "back" } } }],
      [
        "POST",
        `/v1/template/${projectId}`,
        { ...appleTemplate, fields: { f: { value: nul, label: nul, fieldType: "back" } } },
      ],
      ["POST", `/v1/pass/${templateId}`, { fields: { Coupon: { value: nul } } }],
      ["POST", `/v1/pass/${templateId}`, { tags: [nul] }],
      ["POST", `/v1/pass/${templateId}`, { externalId: nul }],
      ["PUT", `/v1/pass/${passId}/tags`, { tags: [nul] }],
      ["PUT", `/v1/pass/${passId}`, { fields: { Coupon: { label: nul } } }],
      ["POST", "/v1/links/adaptive", { iosTemplateId: templateId, landingPageUrl: `https://x.example/${nul}` }],
    ];
    for (const [method, path, body] of bodies) {
      await expectRejected(await server.call(method, path, { body }), `${method} ${path} NUL`);
    }
    // Lone surrogates arrive as JSON escapes.
    for (const raw of [
      '{"name":"\\ud800","projectType":"loyalty"}',
      '{"name":"x\\udc00y","projectType":"loyalty"}',
      '{"name":"ok","projectType":"loyalty","settings":{"\\udbff":"v"}}',
    ]) {
      await expectRejected(await server.call("POST", "/v1/project", { rawBody: raw }), raw);
    }
    for (const path of [
      "/v1/pass/id/a%00b",
      "/v1/template/id/a%00b",
      "/v1/project/id/a%00b",
      "/v1/tag/a%00b/passes",
      `/v1/tag/a%00b/pass/${passId}`,
      "/v1/pass/id/%ED%A0%80",
      "/v1/tag/%ED%A0%80/passes",
      `/v1/pass?status=a%00`,
    ]) {
      await expectRejected(await server.call("GET", path), `GET ${path}`);
    }
    await expectRejected(await server.call("PUT", `/v1/tag/a%00b/pass/${passId}`), "tag a pass with NUL");
    await expectRejected(await server.call("DELETE", "/v1/tag/a%00b"), "delete NUL tag");
    for (const query of ["exid=a%00b", "tags=a%00b", "barcode=%00", "Coupon=%00", "name%00=x"]) {
      await expectRejected(await fetch(`${server.baseUrl}/v1/pass/adaptive/${linkId}/ios?${query}`), query);
    }
    const ws = await fetch(`${server.baseUrl}/apple/v1/passes/${ptid}/${encodeURIComponent(`${serial}\u0000`)}`, {
      headers: { authorization: "ApplePass x" },
    });
    await expectRejected(ws, "web service serial with NUL");
    const register = await fetch(`${server.baseUrl}/apple/v1/devices/d1/registrations/${ptid}/a%00b`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "ApplePass x" },
      body: '{"pushToken":"ab"}',
    });
    await expectRejected(register, "register with NUL serial");
    expect(await snapshot()).toBe(before);
  });

  it("answers 400 for JSON nested 10,000 deep and for ids past every integer type", async () => {
    const deep = `${"[".repeat(10_000)}${"]".repeat(10_000)}`;
    await expectRejected(
      await server.call("POST", "/v1/project", { rawBody: `{"name":"x","settings":{"a":${deep}}}` }),
      "deep",
    );
    await expectRejected(await server.call("PUT", `/v1/pass/${passId}`, { rawBody: deep }), "deep array");
    const form = await server.call("POST", "/v1/project", {
      rawBody: `json=${encodeURIComponent(deep)}`,
      contentType: "application/x-www-form-urlencoded",
    });
    await expectRejected(form, "deep form json");
    for (const id of ["1e300", "2147483648", "99999999999999999999", "-1", "0x10", "1.5"]) {
      for (const path of [
        `/v1/pass/${id}`,
        `/v1/template/${id}`,
        `/v1/project/${id}`,
        `/v1/ticket/${id}`,
        `/v1/links/adaptive/${id}`,
        `/v1/pass/adaptive/${id}`,
      ]) {
        const response = await server.call("GET", path);
        expect([400, 404], `${path}: ${response.text}`).toContain(response.status);
        expect(isJsonError(response), path).toBe(true);
      }
    }
    for (const body of [
      { iosTemplateId: 1e300 },
      { iosTemplateId: 2147483648 },
      { iosTemplateId: "99999999999999999999" },
    ]) {
      const response = await server.call("POST", "/v1/links/adaptive", { body });
      expect([400, 404]).toContain(response.status);
      expect(isJsonError(response)).toBe(true);
    }
    for (const query of ["page=1e300", "pageSize=2147483648", "page=99999999999999999999"]) {
      const response = await server.call("GET", `/v1/pass?${query}`);
      expect(response.status, query).toBe(400);
    }
  });
});

describe("bounds", () => {
  it("holds a pass to 15 tags, and passes and templates to 10 beacons and 10 locations, without truncating", async () => {
    const before = await snapshot();
    const tags = (n: number) => Array.from({ length: n }, (_, i) => `tag${i}`);
    const beacons = Array.from({ length: 11 }, () => ({ uuid: "f8f589e9-c07e-58b0-aea2-5d0ff9e2d8c4" }));
    const locations = Array.from({ length: 11 }, () => ({ latitude: 1, longitude: 2 }));
    const attempts: [string, string, unknown][] = [
      ["POST", `/v1/pass/${templateId}`, { tags: tags(16) }],
      ["PUT", `/v1/pass/${passId}/tags`, { tags: tags(16) }],
      ["PUT", `/v1/pass/${passId}`, { tags: tags(1000) }],
      ["POST", `/v1/pass/${templateId}`, { beacons }],
      ["PUT", `/v1/pass/${passId}`, { beacons }],
      ["POST", `/v1/template/${projectId}`, { ...appleTemplate, beacons }],
      ["POST", `/v1/template/${projectId}`, { ...appleTemplate, locations }],
      ["POST", `/v1/pass/${templateId}`, { locations }],
      ["POST", `/v1/pass/${passId}/locations`, { locations }],
      ["POST", `/v1/template/${templateId}/locations`, { locations }],
      ["POST", "/v1/project", { name: "s", projectType: "loyalty", settings: { big: "x".repeat(20_000) } }],
      ["POST", "/v1/project", { name: "s", projectType: "loyalty", settings: { a: { b: { c: { d: { e: 1 } } } } } }],
      [
        "POST",
        "/v1/project",
        { name: "s", projectType: "loyalty", settings: Object.fromEntries(tags(51).map((t) => [t, 1])) },
      ],
      ["POST", `/v1/template/${projectId}`, { ...appleTemplate, name: "n".repeat(256) }],
      ["POST", `/v1/pass/${templateId}`, { fields: { Coupon: { value: "v".repeat(10_001) } } }],
    ];
    for (const [method, path, body] of attempts) {
      const response = await server.call(method, path, { body });
      expect(response.status, `${method} ${path}: ${response.text.slice(0, 200)}`).toBe(400);
      expect(isJsonError(response)).toBe(true);
    }
    expect(await snapshot()).toBe(before);

    // The pass carries "a"; fourteen more make fifteen.
    const fifteen = await server.call("PUT", `/v1/pass/${passId}/tags`, { body: { tags: tags(14) } });
    expect(fifteen.status).toBe(200);
    expect(fifteen.json.newTags).toHaveLength(14);
    const sixteenth = await server.call("PUT", `/v1/tag/one-more/pass/${passId}`);
    expect(sixteenth.status).toBe(400);
    expect(sixteenth.json.error).toMatch(/at most 15 tags/);
    const { rows } = await server.database.query("SELECT count(*)::int AS n FROM pass_tags WHERE pass_id = $1", [
      passId,
    ]);
    expect(rows[0]?.n).toBe(15);
  });
});

describe("logs", () => {
  it("redacts secret-bearing query parameters however they are spelled, and public download tokens", () => {
    expect(redactUrl("/v1/project?api%5Fkey=KEY:SECRET&page=2")).toBe("/v1/project?api%5Fkey=[REDACTED]&page=2");
    expect(redactUrl("/v1/project?API_KEY=s3cret")).toBe("/v1/project?API_KEY=[REDACTED]");
    expect(redactUrl("/v1/project?api%255Fkey=s3cret")).toBe("/v1/project?api%255Fkey=[REDACTED]");
    expect(redactUrl("/v1/project?%61pi_key=s3cret")).toBe("/v1/project?%61pi_key=[REDACTED]");
    expect(redactUrl("/x?secret=1&token=2&password=3&access_token=4")).toBe(
      "/x?secret=[REDACTED]&token=[REDACTED]&password=[REDACTED]&access_token=[REDACTED]",
    );
    expect(redactUrl("/v1/download/pass/abcdef123?x=1")).toBe("/v1/download/pass/[REDACTED]?x=1");
    expect(redactUrl("/v1/pass?page=1&status=installed")).toBe("/v1/pass?page=1&status=installed");
    // JWTs (save links, access tokens) wherever they sit in a URL.
    const jwt = "eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4QHkuY29tIn0.c2lnbmF0dXJlLWJ5dGVz";
    expect(redactUrl(`/gp/v/save/${jwt}`)).toBe("/gp/v/save/[REDACTED]");
    expect(redactUrl(`/x?link=https%3A%2F%2Fpay.google.com%2Fgp%2Fv%2Fsave%2F${jwt}`)).not.toContain(jwt.split(".")[1]);
  });

  it("never writes the secret of an ?api%5Fkey= request into the log", async () => {
    const lines: string[] = [];
    const logged = await startTestServer({ logStream: { write: (line) => void lines.push(line) } });
    try {
      const { key, secret } = logged.credentials;
      for (const name of ["api%5Fkey", "api_key"]) {
        const response = await fetch(`${logged.baseUrl}/v1/project?${name}=${key}:${secret}`);
        expect(response.status).toBe(200);
      }
      await fetch(`${logged.baseUrl}/v1/project?API_KEY=${key}:${secret}`);
    } finally {
      await logged.close();
    }
    const text = lines.join("");
    expect(text).toContain("api%5Fkey=[REDACTED]");
    expect(text).toContain("API_KEY=[REDACTED]");
    expect(text).not.toContain(logged.credentials.secret);
  });
});

describe("images", () => {
  it("garbage-collects stored images no template or pass names", async () => {
    const used = `data:image/png;base64,${pngFixture(30, 30, [1, 2, 3]).toString("base64")}`;
    const dropped = `data:image/png;base64,${pngFixture(30, 30, [4, 5, 6]).toString("base64")}`;
    const keep = await server.call("POST", `/v1/template/${projectId}`, {
      body: { ...appleTemplate, headers: { ...appleTemplate.headers, strip_image: { value: used } } },
    });
    const gone = await server.call("POST", `/v1/template/${projectId}`, {
      body: { ...appleTemplate, headers: { ...appleTemplate.headers, strip_image: { value: dropped } } },
    });
    expect(keep.status).toBe(200);
    await server.call("DELETE", `/v1/template/${gone.json.templateId}`);
    const count = async () => (await server.database.query("SELECT count(*)::int AS n FROM images")).rows[0]?.n;
    const before = await count();
    const pool = testPool(server.database.url, 1);
    try {
      expect(await collectUnreferencedImages(pool, 60_000)).toBe(0); // within the grace period
      expect(await collectUnreferencedImages(pool, 0)).toBe(1);
    } finally {
      await pool.end();
    }
    expect(await count()).toBe(before - 1);
    const pass = await server.call(
      "GET",
      `/v1/pass/${(await server.call("POST", `/v1/pass/${keep.json.templateId}`, { body: {} })).json.id}/download`,
    );
    expect(pass.status).toBe(200);
  });
});
