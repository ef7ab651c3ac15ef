import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMetricsServer } from "../../src/observability/metrics-server.js";
import { basic, isJsonError, startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let projectId: number;

beforeAll(async () => {
  // No decision cache here, so revocation is visible at once.
  server = await startTestServer({ authCacheTtlMs: 0 });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Auth", projectType: "generic" } })).json.id;
});
afterAll(() => server.close());

describe("authentication", () => {
  it("accepts HTTP Basic key:secret", async () => {
    const res = await server.call("GET", `/v1/project/${projectId}`);
    expect(res.status).toBe(200);
  });

  it("accepts Bearer <secret>", async () => {
    const res = await server.call("GET", `/v1/project/${projectId}`, {
      headers: { authorization: `Bearer ${server.credentials.secret}` },
    });
    expect(res.status).toBe(200);
    expect(res.json.id).toBe(projectId);
  });

  it("accepts the legacy api_key query parameter (secret, or key:secret)", async () => {
    const bySecret = await server.call("GET", `/v1/project/${projectId}?api_key=${server.credentials.secret}`, {
      as: null,
    });
    expect(bySecret.status).toBe(200);
    const pair = encodeURIComponent(`${server.credentials.key}:${server.credentials.secret}`);
    const byPair = await server.call("GET", `/v1/project/${projectId}?api_key=${pair}`, { as: null });
    expect(byPair.status).toBe(200);
    const del = await server.call("POST", "/v1/project", { body: { name: "to delete", projectType: "coupon" } });
    const deleted = await server.call("DELETE", `/v1/project/${del.json.id}?api_key=${server.credentials.secret}`, {
      as: null,
    });
    expect(deleted.json).toMatchObject({ status: "deleted" });
  });

  it("accepts the legacy form body: json=<document>&api_key=<secret>, with the same responses as JSON", async () => {
    const document = { name: "Form project", projectType: "coupon", settings: { barcode_alt_text: "123json=456789" } };
    const form = new URLSearchParams({ json: JSON.stringify(document), api_key: server.credentials.secret });
    const created = await server.call("POST", "/v1/project/id/form-1", {
      rawBody: form.toString(),
      contentType: "application/x-www-form-urlencoded",
      as: null,
    });
    expect(created.status).toBe(200);
    expect(created.json).toMatchObject({ ...document, externalId: "form-1" });
    const viaJson = await server.call("GET", "/v1/project/id/form-1");
    expect(viaJson.json).toEqual(created.json);

    const update = new URLSearchParams({
      json: JSON.stringify({ name: "Renamed" }),
      api_key: server.credentials.secret,
    });
    const updated = await server.call("PUT", `/v1/project/${created.json.id}`, {
      rawBody: update.toString(),
      contentType: "application/x-www-form-urlencoded; charset=UTF-8",
      as: null,
    });
    expect(updated.status).toBe(200);
    expect(updated.json).toMatchObject({ name: "Renamed", projectType: "coupon" });

    const broken = await server.call("POST", "/v1/project", {
      rawBody: new URLSearchParams({ json: "{oops", api_key: server.credentials.secret }).toString(),
      contentType: "application/x-www-form-urlencoded",
      as: null,
    });
    expect(broken.status).toBe(400);
    expect(broken.json.error).toContain("json");
  });

  it("answers 401 with a JSON error for missing, malformed, wrong and revoked credentials", async () => {
    const wrongSecret = { key: server.credentials.key, secret: "x".repeat(43) };
    const cases: Record<string, string | undefined>[] = [
      {},
      { authorization: basic(wrongSecret) },
      { authorization: basic({ key: "wk_nobody", secret: server.credentials.secret }) },
      { authorization: "Bearer not-a-secret" },
      { authorization: "Basic !!!" },
      { authorization: "Digest abc" },
      { authorization: `Bearer ${server.credentials.key}` },
    ];
    for (const headers of cases) {
      const res = await server.call("GET", `/v1/project/${projectId}`, {
        as: null,
        headers: headers as Record<string, string>,
      });
      expect(res.status, JSON.stringify(headers)).toBe(401);
      expect(isJsonError(res)).toBe(true);
      expect(res.json.code).toBe("UNAUTHORIZED");
      expect(res.text).not.toContain("Auth");
    }
    const wrongQuery = await server.call("GET", `/v1/project/${projectId}?api_key=${server.credentials.key}`, {
      as: null,
    });
    expect(wrongQuery.status).toBe(401);
    const unauthWrite = await server.call("POST", "/v1/project", {
      body: { name: "x", projectType: "coupon" },
      as: null,
    });
    expect(unauthWrite.status).toBe(401);

    const revocable = await server.newAccount("revocable");
    expect((await server.call("GET", "/v1/project", { as: revocable })).status).toBe(200);
    expect(await server.app.apiKeys.revoke(revocable.key)).toBe(true);
    expect((await server.call("GET", "/v1/project", { as: revocable })).status).toBe(401);
  });

  it("ends a revoked key's OAuth tokens, also when another process (the CLI) revoked it", async () => {
    const key = await server.newAccount("token holder");
    const issued = await fetch(`${server.baseUrl}/token`, {
      method: "POST",
      headers: { authorization: basic(key), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials",
    });
    const bearer = { authorization: `Bearer ${((await issued.json()) as { access_token: string }).access_token}` };
    const create = () =>
      server.call("POST", "/v1/project", { body: { name: "by token", projectType: "coupon" }, headers: bearer });
    expect((await server.call("GET", "/v1/project", { headers: bearer })).status).toBe(200);
    expect((await create()).status).toBe(200);
    // `cli apikey revoke` runs in its own process: it only writes the revocation.
    await server.database.query("UPDATE api_keys SET revoked_at = now() WHERE key = $1", [key.key]);
    const projects = await server.database.query("SELECT count(*) FROM projects");
    const refused = await server.call("GET", "/v1/project", { headers: bearer });
    expect(refused.status).toBe(401);
    expect(refused.json.error).toMatch(/revoked/);
    expect((await create()).status).toBe(401);
    expect((await server.database.query("SELECT count(*) FROM projects")).rows).toEqual(projects.rows);
  });

  it("stores secrets only as hashes", async () => {
    const { rows } = await server.database.query("SELECT * FROM api_keys");
    expect(JSON.stringify(rows)).not.toContain(server.credentials.secret);
  });
});

describe("Api-Revision", () => {
  it("accepts 1.2 and a missing header, and refuses any other revision with 400", async () => {
    expect((await server.call("GET", "/v1/project", { headers: { "api-revision": "1.2" } })).status).toBe(200);
    const res = await fetch(`${server.baseUrl}/v1/project`, { headers: { authorization: basic(server.credentials) } });
    expect(res.status).toBe(200);
    for (const revision of ["1.1", "2.0", "abc", ""]) {
      const bad = await server.call("GET", "/v1/project", { headers: { "api-revision": revision } });
      expect(bad.status, revision).toBe(400);
      expect(bad.json.code).toBe("UNSUPPORTED_API_REVISION");
    }
  });
});

describe("operations", () => {
  it("serves /health, a home page and the OpenAPI document (with a relative server) without credentials", async () => {
    const health = await fetch(`${server.baseUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", database: "ok" });

    const home = await fetch(`${server.baseUrl}/`);
    expect(home.status).toBe(200);
    expect(home.headers.get("content-type")).toMatch(/text\/html/);
    const page = await home.text();
    expect(page).toContain('href="/docs"');
    expect(page).toContain('href="/health"');
    expect(page).toMatch(/Version \d+\.\d+\.\d+/);

    const openapi = (await (await fetch(`${server.baseUrl}/docs/json`)).json()) as {
      openapi: string;
      paths: object;
      servers: { url: string }[];
    };
    expect(openapi.openapi).toMatch(/^3\./);
    // "Try it out" calls whichever server the document was opened on.
    expect(openapi.servers).toEqual([{ url: "/" }]);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(["/v1/project", "/v1/project/{projectId}", "/v1/project/id/{externalId}/nfcMerchants"]),
    );
    const ui = await fetch(`${server.baseUrl}/docs/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain("swagger");
  });

  it("keeps /metrics off the public port, serving it on its own listener and, with a token, publicly", async () => {
    expect((await fetch(`${server.baseUrl}/metrics`)).status).toBe(404);
    await server.call("GET", `/v1/project/${projectId}`);
    const listener = await startMetricsServer(server.app.metrics, 0, "127.0.0.1");
    try {
      const { port } = listener.address() as AddressInfo;
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toMatch(/http_requests_total\{method="GET",route="\/v1\/project\/:projectId",status="200"\} \d+/);
      expect(metrics).toContain("http_request_duration_seconds_bucket");
      expect(metrics).toMatch(/db_pool_connections_total \d+/);
      expect(metrics).toMatch(/wallet_oldest_job_age_seconds \d+/);
      expect(metrics).toContain("# TYPE wallet_passes gauge");
    } finally {
      listener.close();
    }
    const token = "m".repeat(24);
    const open = await startTestServer({ metricsToken: token });
    try {
      expect((await fetch(`${open.baseUrl}/metrics`)).status).toBe(401);
      expect((await fetch(`${open.baseUrl}/metrics`, { headers: { authorization: "Bearer wrong" } })).status).toBe(401);
      const scraped = await fetch(`${open.baseUrl}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain("http_requests_total");
    } finally {
      await open.close();
    }
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await server.call("GET", "/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(isJsonError(res)).toBe(true);
  });
});
