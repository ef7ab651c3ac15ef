// Scoped access over real HTTP: OAuth tokens from POST /token (scopes, addresses, errors as RFC 6749 names them),
// the scope matrix — every authenticated route × every scope, read from the OpenAPI document so a new route
// cannot be missed — answered 403 naming the missing scope or let through, altered and expired tokens refused,
// key rotation, and API keys limited to scopes and to one project.

import Fastify, { type FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AccessTokens } from "../../src/accounts/access-tokens.js";
import type { ApiKeyService } from "../../src/accounts/api-keys.js";
import { SCOPES, type Scope } from "../../src/accounts/scopes.js";
import { ManualClock } from "../../src/clock.js";
import { access } from "../../src/http/access.js";
import { requireApiKey } from "../../src/http/auth.js";
import { appleTemplate } from "../fixtures/reference.js";
import { basic, startTestServer, type TestServer } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";

const clock = new ManualClock();
let server: TestServer;
const ALL = Object.keys(SCOPES) as Scope[];

beforeAll(async () => {
  server = await startTestServer({ apple: testPki().setup, clock });
});
afterAll(() => server?.close());

async function token(form: string, credentials = server.credentials) {
  const response = await fetch(`${server.baseUrl}/token`, {
    method: "POST",
    headers: { authorization: basic(credentials), "content-type": "application/x-www-form-urlencoded" },
    body: form,
  });
  return { status: response.status, json: (await response.json()) as Record<string, string> };
}
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe("POST /token", () => {
  it("issues a one-hour bearer token for the asked scopes", async () => {
    const issued = await token("grant_type=client_credentials&scope=wpas%20wsch");
    expect(issued.status).toBe(200);
    expect(issued.json).toEqual({
      access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
      token_type: "Bearer",
      expires_in: 3600,
      scope: "wpas wsch",
    });
    expect((await token("grant_type=client_credentials&scope=wpas&scope=wtmp")).json.scope).toBe("wpas wtmp");
    expect((await token("grant_type=client_credentials")).json.scope).toBe(ALL.join(" "));
  });

  it("answers OAuth errors: unknown scope, bad client, bad grant, bad ipaddr", async () => {
    expect(await token("grant_type=client_credentials&scope=wpas%20wxyz")).toMatchObject({
      status: 400,
      json: { error: "invalid_scope" },
    });
    expect((await token("grant_type=client_credentials", { ...server.credentials, secret: "nope" })).json.error).toBe(
      "invalid_client",
    );
    expect((await token("grant_type=client_credentials", { ...server.credentials, secret: "nope" })).status).toBe(401);
    expect((await token("scope=wpas")).json.error).toBe("invalid_request");
    expect((await token("grant_type=password")).json.error).toBe("unsupported_grant_type");
    expect((await token("grant_type=client_credentials&ipaddr=10.0.0.0/99")).json.error).toBe("invalid_request");
  });
});

describe("bearer tokens", () => {
  it("reach the routes of their scopes and get a 403 naming the scope elsewhere", async () => {
    const t = (await token("grant_type=client_credentials&scope=wpas")).json.access_token!;
    expect((await server.call("GET", "/v1/pass", { headers: bearer(t) })).status).toBe(200);
    const refused = await server.call("GET", "/v1/template/headers", { headers: bearer(t) });
    expect(refused.status).toBe(403);
    expect(refused.json).toMatchObject({ code: "SCOPE_REQUIRED", details: { scope: "wtmp" } });
    expect(refused.json.error).toMatch(/wtmp/);
  });

  it("refuses an altered token, an expired one, one used from outside its addresses, and retired keys' tokens", async () => {
    const t = (await token("grant_type=client_credentials&scope=wpas")).json.access_token!;
    const [header, payload, signature] = t.split(".") as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: ALL })).toString("base64url");
    for (const altered of [`${header}.${widened}.${signature}`, `${header}.${payload}.${signature.slice(0, -2)}AA`]) {
      const answer = await server.call("GET", "/v1/pass", { headers: bearer(altered) });
      expect(answer.status).toBe(401);
    }
    const elsewhere = (await token("grant_type=client_credentials&scope=wpas&ipaddr=10.0.0.0/8")).json.access_token!;
    expect((await server.call("GET", "/v1/pass", { headers: bearer(elsewhere) })).status).toBe(401);
    const here = (await token("grant_type=client_credentials&scope=wpas&ipaddr=10.0.0.0/8%20127.0.0.0/8")).json
      .access_token!;
    expect((await server.call("GET", "/v1/pass", { headers: bearer(here) })).status).toBe(200);
    clock.advance(3601_000);
    const expired = await server.call("GET", "/v1/pass", { headers: bearer(t) });
    expect(expired.status).toBe(401);
    expect(expired.json.error).toMatch(/expired/);
    // A rotation keeps tokens already issued working; revoking every older key ends them.
    const before = (await token("grant_type=client_credentials&scope=wpas")).json.access_token!;
    await server.app.services.tokens.rotate();
    expect((await server.call("GET", "/v1/pass", { headers: bearer(before) })).status).toBe(200);
    const after = (await token("grant_type=client_credentials&scope=wpas")).json.access_token!;
    expect(after.split(".")[0]).not.toBe(before.split(".")[0]);
    await server.app.services.tokens.revokeAll();
    expect((await server.call("GET", "/v1/pass", { headers: bearer(before) })).status).toBe(401);
    expect((await server.call("GET", "/v1/pass", { headers: bearer(after) })).status).toBe(200);
  });
});

/**
 * The scope each route needs, by Airship's resources (its reference's OAuth scopes), written here independently of
 * the routes' own declarations: notifications wnot, statistics wrpt, segments wseg, schedules wsch, adaptive links
 * wadl, flights wfli, events wevt, templates wtmp, projects, certificates and webhook endpoints wprj, passes, tags, tickets and Badge's RPC wpas.
 */
const EXPECTED_SCOPES: [RegExp, Scope][] = [
  [/\/notify$|^\/v0\/rpc\/passSendPushNotification$/, "wnot"],
  [/\/(stats|activity)(\/|$)/, "wrpt"],
  [/^\/v1\/segments(\/|$)/, "wseg"],
  [/^\/v1\/schedules(\/|$)/, "wsch"],
  [/^\/v1\/links\/adaptive(\/|$)/, "wadl"],
  [/^\/v1\/flights(\/|$)/, "wfli"],
  [/^\/v1\/events(\/|$)/, "wevt"],
  [/^\/v1\/template(\/|$)/, "wtmp"],
  [/^\/v1\/project(\/|$)|^\/v1\/certificates(\/|$)|^\/v0\/webhookEndpoints(\/|$)/, "wprj"],
  [/^\/v1\/(pass|tag|ticket)(\/|$)|^\/v0\/rpc\//, "wpas"],
];
const expectedScope = (url: string): Scope => {
  const rule = EXPECTED_SCOPES.find(([pattern]) => pattern.test(url));
  if (!rule) throw new Error(`no expected scope for ${url}`);
  return rule[1];
};

describe("the scope matrix", () => {
  it("lets each authenticated route through with its scope only, and refuses every other scope", async () => {
    const tokens = new Map<Scope, string>();
    for (const scope of ALL)
      tokens.set(scope, (await token(`grant_type=client_credentials&scope=${scope}`)).json.access_token!);
    const doc = (await fetch(`${server.baseUrl}/docs/json`).then((r) => r.json())) as {
      paths: Record<string, Record<string, unknown>>;
    };
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      const url = path.replace(/\{(\w+)\}/g, ":$1");
      const concrete = path.replace(/\{(\w+)\}/g, (_, name: string) =>
        /start|end/.test(name) ? "2026-01-01" : "999999",
      );
      for (const method of Object.keys(operations).map((m) => m.toUpperCase())) {
        // The API's own routes (the PassKit web service and Google callbacks authenticate otherwise).
        if (method === "HEAD" || !/^\/v[01]\//.test(url)) continue;
        const anonymous = await server.call(method, concrete, { as: null });
        if (anonymous.status !== 401) continue; // a public route
        const needed = expectedScope(url);
        const security = (operations[method.toLowerCase()] as { security?: unknown[] }).security;
        expect(security, `${method} ${path} documents its scope`).toContainEqual({ oauth2: [needed] });
        for (const scope of ALL) {
          const answer = await server.call(method, concrete, { headers: bearer(tokens.get(scope)!) });
          if (scope === needed) {
            expect([401, 403], `${method} ${path} with ${scope}`).not.toContain(answer.status);
          } else {
            expect(answer.status, `${method} ${path} with ${scope}`).toBe(403);
            expect(answer.json.details?.scope, `${method} ${path}`).toBe(needed);
          }
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });
});

describe("limited API keys", () => {
  it("keep a key to its scopes, and a project-limited key (and its tokens) to its project", async () => {
    const { accountId } = server.credentials;
    const scoped = await server.app.apiKeys.create("templates only", accountId, { scopes: ["wtmp"] });
    expect((await server.call("GET", "/v1/template/headers", { as: scoped })).status).toBe(200);
    expect((await server.call("GET", "/v1/pass", { as: scoped })).json.code).toBe("SCOPE_REQUIRED");
    expect((await token("grant_type=client_credentials&scope=wpas", scoped)).json.error).toBe("invalid_scope");

    const mine = (await server.call("POST", "/v1/project", { body: { name: "Mine", projectType: "coupon" } })).json.id;
    const theirs = (await server.call("POST", "/v1/project", { body: { name: "Theirs", projectType: "coupon" } })).json
      .id;
    const myTemplate = (await server.call("POST", `/v1/template/${mine}`, { body: appleTemplate })).json.templateId;
    const theirTemplate = (await server.call("POST", `/v1/template/${theirs}`, { body: appleTemplate })).json
      .templateId;
    const myPass = (await server.call("POST", `/v1/pass/${myTemplate}/id/shared-x`, { body: {} })).json.id;
    const theirPass = (await server.call("POST", `/v1/pass/${theirTemplate}`, { body: {} })).json.id;
    const limited = await server.app.apiKeys.create("project only", accountId, { projectId: mine });
    const as = { as: limited };
    expect((await server.call("GET", `/v1/project/${mine}`, as)).status).toBe(200);
    expect((await server.call("GET", `/v1/template/${myTemplate}`, as)).status).toBe(200);
    expect((await server.call("GET", `/v1/pass/${myPass}`, as)).status).toBe(200);
    expect((await server.call("GET", "/v1/pass/id/shared-x", as)).status).toBe(200);
    expect((await server.call("POST", `/v1/pass/${myTemplate}`, { ...as, body: {} })).status).toBe(200);
    for (const [method, path] of [
      ["GET", `/v1/project/${theirs}`],
      ["GET", `/v1/template/${theirTemplate}`],
      ["GET", `/v1/pass/${theirPass}`],
      ["POST", `/v1/pass/${theirTemplate}`],
      ["GET", "/v1/pass"],
      ["GET", "/v1/project"],
      ["GET", "/v1/tag"],
    ] as const) {
      const answer = await server.call(method, path, { ...as, ...(method === "POST" ? { body: {} } : {}) });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.json.code, `${method} ${path}`).toBe("PROJECT_FORBIDDEN");
    }
    const limitedToken = (await token("grant_type=client_credentials", limited)).json.access_token!;
    expect((await server.call("GET", `/v1/project/${theirs}`, { headers: bearer(limitedToken) })).status).toBe(403);
    expect((await server.call("GET", `/v1/project/${mine}`, { headers: bearer(limitedToken) })).status).toBe(200);
  });
});

describe("route declarations", () => {
  const withAuth = async (register: (app: FastifyInstance) => void) => {
    const app = Fastify();
    // Registration fails before any credential is looked at: these are never called.
    requireApiKey(app, {} as ApiKeyService, {} as AccessTokens, async () => {});
    register(app);
    try {
      await app.ready();
    } finally {
      await app.close();
    }
  };

  it("stops the server at an authenticated route that declares no access", async () => {
    await expect(withAuth((app) => app.get("/v1/undeclared", async () => ({})))).rejects.toThrow(
      /GET \/v1\/undeclared declares no access/,
    );
  });

  it("stops the server at a route whose path cannot name the owner it declares", async () => {
    await expect(
      withAuth((app) => app.get("/v1/pass/:tag", { config: access("wpas", "pass") }, async () => ({}))),
    ).rejects.toThrow(/owner "pass" is found by one of the parameters/);
    await withAuth((app) => app.get("/v1/pass/:passId", { config: access("wpas", "pass") }, async () => ({})));
  });
});
