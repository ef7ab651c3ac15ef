// The web console's session over real HTTP: sign-in (cookie flags, scopes, rate limit), the cookie as credentials
// for /v1 and /v0 under the key's limits, CSRF refusals, expiry, revocation and sign-out; read-only keys (and their
// tokens and sessions); the page's Content-Security-Policy and its files.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/clock.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
const clock = new ManualClock(Date.parse("2026-12-07T10:00:00Z"));
let projectId: number;
let templateId: number;
let address = 0;

beforeAll(async () => {
  server = await startTestServer({ clock, trustProxy: "127.0.0.1" });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Console", projectType: "loyalty" } })).json.id;
  templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
});
afterAll(async () => {
  await server?.close();
});

/** Each test signs in from its own client address (the rate limit counts per address). */
const from = () => `203.0.113.${++address}`;

async function signIn(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.baseUrl}/console/session`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": from(), ...headers },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON loosely and assert on it.
  const json: any = await response.json();
  const cookie = response.headers.get("set-cookie") ?? "";
  return { status: response.status, json, setCookie: cookie, cookie: cookie.split(";")[0]! };
}

const own = () => ({ key: server.credentials.key, secret: server.credentials.secret });

async function withCookie(
  cookie: string,
  method: string,
  path: string,
  init: { body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${server.baseUrl}${path}`, {
    method,
    headers: {
      cookie,
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...init.headers,
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await response.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON loosely and assert on it.
  let json: any = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: response.status, json, headers: response.headers };
}

describe("signing in", () => {
  it("sets an HttpOnly, SameSite=Strict, expiring cookie, and answers the session with its CSRF token", async () => {
    const session = await signIn(own());
    expect(session.status).toBe(201);
    expect(session.setCookie).toMatch(
      /^wallet_console=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=28800; HttpOnly; SameSite=Strict$/,
    );
    expect(session.json).toMatchObject({
      accountId: server.credentials.accountId,
      key: server.credentials.key,
      readOnly: false,
      expiresAt: "2026-12-07T18:00:00.000Z",
    });
    expect(session.json.scopes).toContain("wtmp");
    expect(session.json.csrfToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // The table holds the token's hash, never the token.
    const token = session.cookie.split("=")[1]!;
    const { rows } = await server.database.query("SELECT token_hash FROM console_sessions");
    expect(rows.map((r) => r.token_hash)).not.toContain(token);
    const me = await withCookie(session.cookie, "GET", "/console/session");
    expect(me.status).toBe(200);
    expect(me.json.csrfToken).toBe(session.json.csrfToken);
  });

  it("marks the cookie Secure behind https (a trusted proxy's X-Forwarded-Proto)", async () => {
    const session = await signIn(own(), { "x-forwarded-proto": "https" });
    expect(session.setCookie).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  });

  it("refuses a wrong secret (401), unknown or unheld scopes (400) and malformed bodies (400)", async () => {
    const other = await server.app.apiKeys.create("other", server.credentials.accountId);
    expect((await signIn({ key: other.key, secret: "nope" })).status).toBe(401);
    expect((await signIn({ ...own(), scopes: ["wxyz"] })).json.code).toBe("INVALID_SCOPE");
    const limited = await server.app.apiKeys.create("limited", server.credentials.accountId, { scopes: ["wpas"] });
    expect((await signIn({ key: limited.key, secret: limited.secret, scopes: ["wtmp"] })).json.code).toBe(
      "INVALID_SCOPE",
    );
    expect((await signIn({ key: "k" })).json.code).toBe("VALIDATION_FAILED");
    expect((await signIn({ ...own(), secret: "s".repeat(600) })).json.code).toBe("VALIDATION_FAILED");
  });

  it("limits sign-in attempts per client address: the eleventh in a minute is a 429 with Retry-After", async () => {
    const address = "198.51.100.7";
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 11; i++) {
      const response = await fetch(`${server.baseUrl}/console/session`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-forwarded-for": address },
        body: JSON.stringify({ key: `wk_unknown${i}`, secret: "guess" }),
      });
      statuses.push(response.status);
      retryAfter = response.headers.get("retry-after");
      await response.arrayBuffer();
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });

  it("limits failed attempts per key from any address, while the key's own sign-ins still count only per address", async () => {
    const target = await server.app.apiKeys.create("target", server.credentials.accountId);
    for (let i = 0; i < 10; i++) expect((await signIn({ key: target.key, secret: `guess-${i}` })).status).toBe(401);
    const locked = await signIn({ key: target.key, secret: target.secret });
    expect(locked.status).toBe(429);
    expect(locked.json.code).toBe("RATE_LIMITED");
    for (let i = 0; i < 12; i++) expect((await signIn(own())).status).toBe(201);
  });
});

describe("the session as credentials", () => {
  it("reads /v1 and /v0 with the cookie alone", async () => {
    const { cookie } = await signIn(own());
    expect((await withCookie(cookie, "GET", `/v1/template/${templateId}`)).status).toBe(200);
    expect((await withCookie(cookie, "GET", "/v0/webhookEndpoints")).status).toBe(200);
  });

  it("needs the CSRF token for a change, and refuses another origin even with it", async () => {
    const session = await signIn(own());
    const body = { name: "Renamed", projectType: "loyalty" };
    const without = await withCookie(session.cookie, "PUT", `/v1/project/${projectId}`, { body });
    expect(without.status).toBe(403);
    expect(without.json.code).toBe("CSRF_REJECTED");
    const wrong = await withCookie(session.cookie, "PUT", `/v1/project/${projectId}`, {
      body,
      headers: { "x-csrf-token": "x".repeat(32) },
    });
    expect(wrong.json.code).toBe("CSRF_REJECTED");
    const elsewhere = await withCookie(session.cookie, "PUT", `/v1/project/${projectId}`, {
      body,
      headers: { "x-csrf-token": session.json.csrfToken, origin: "https://evil.example" },
    });
    expect(elsewhere.json.code).toBe("CSRF_REJECTED");
    expect((await server.call("GET", `/v1/project/${projectId}`)).json.name).toBe("Console");
    const right = await withCookie(session.cookie, "PUT", `/v1/project/${projectId}`, {
      body: { name: "Console", projectType: "loyalty", description: "via the console" },
      headers: { "x-csrf-token": session.json.csrfToken, origin: server.baseUrl },
    });
    expect(right.status).toBe(200);
    expect((await server.call("GET", `/v1/project/${projectId}`)).json.description).toBe("via the console");
  });

  it("holds a session to the scopes chosen at sign-in", async () => {
    const { cookie } = await signIn({ ...own(), scopes: ["wpas"] });
    const template = await withCookie(cookie, "GET", `/v1/template/${templateId}`);
    expect(template.status).toBe(403);
    expect(template.json.code).toBe("SCOPE_REQUIRED");
    expect((await withCookie(cookie, "GET", `/v1/pass?templateId=${templateId}`)).status).toBe(200);
  });

  it("holds a session of a project-limited key to its project", async () => {
    const other = (await server.call("POST", "/v1/project", { body: { name: "Other", projectType: "loyalty" } })).json;
    const limited = await server.app.apiKeys.create("one project", server.credentials.accountId, { projectId });
    const { cookie, json } = await signIn({ key: limited.key, secret: limited.secret });
    expect(json.projectId).toBe(projectId);
    expect((await withCookie(cookie, "GET", `/v1/project/${projectId}`)).status).toBe(200);
    expect((await withCookie(cookie, "GET", `/v1/project/${other.id}`)).json.code).toBe("PROJECT_FORBIDDEN");
  });

  it("ends after 8 hours, when its key is revoked, and at sign-out", async () => {
    const expiring = await signIn(own());
    clock.advance(8 * 3_600_000 - 1000);
    expect((await withCookie(expiring.cookie, "GET", "/v1/project")).status).toBe(200);
    clock.advance(2000);
    const late = await withCookie(expiring.cookie, "GET", "/v1/project");
    expect(late.status).toBe(401);
    expect(late.json.code).toBe("UNAUTHORIZED");

    const doomed = await server.app.apiKeys.create("doomed", server.credentials.accountId);
    const revoked = await signIn({ key: doomed.key, secret: doomed.secret });
    expect((await withCookie(revoked.cookie, "GET", "/v1/project")).status).toBe(200);
    await server.app.apiKeys.revoke(doomed.key);
    expect((await withCookie(revoked.cookie, "GET", "/v1/project")).status).toBe(401);

    const session = await signIn(own());
    expect((await withCookie(session.cookie, "DELETE", "/console/session")).json.code).toBe("CSRF_REJECTED");
    const out = await withCookie(session.cookie, "DELETE", "/console/session", {
      headers: { "x-csrf-token": session.json.csrfToken },
    });
    expect(out.status).toBe(204);
    expect(out.headers.get("set-cookie")).toMatch(/^wallet_console=; Path=\/; Max-Age=0; HttpOnly; SameSite=Strict/);
    expect((await withCookie(session.cookie, "GET", "/v1/project")).status).toBe(401);
    expect((await withCookie(session.cookie, "GET", "/console/session")).status).toBe(401);
  });

  it("ignores a forged or oversized cookie", async () => {
    expect((await withCookie("wallet_console=forged", "GET", "/v1/project")).status).toBe(401);
    expect((await withCookie(`wallet_console=${"a".repeat(5000)}`, "GET", "/v1/project")).status).toBe(401);
    expect((await withCookie(`x=${"a".repeat(9000)}; wallet_console=b`, "GET", "/v1/project")).status).toBe(401);
  });
});

describe("read-only keys", () => {
  it("read, preview an unsaved body, and are refused every change (key, token and console session)", async () => {
    const reader = await server.app.apiKeys.create("reader", server.credentials.accountId, { readOnly: true });
    const as = { ...reader, accountId: server.credentials.accountId };
    expect((await server.call("GET", `/v1/template/${templateId}`, { as })).status).toBe(200);
    const preview = await server.call("POST", "/v1/template/preview?format=svg", { as, body: appleTemplate });
    expect(preview.status).toBe(200);
    const write = await server.call("PUT", `/v1/project/${projectId}`, {
      as,
      body: { name: "No", projectType: "loyalty" },
    });
    expect(write.status).toBe(403);
    expect(write.json.code).toBe("READ_ONLY_KEY");
    expect((await server.call("POST", `/v1/pass/${templateId}`, { as, body: {} })).json.code).toBe("READ_ONLY_KEY");
    expect((await server.call("GET", `/v1/pass?templateId=${templateId}`)).json.count).toBe(0);

    const token = await fetch(`${server.baseUrl}/token`, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${reader.key}:${reader.secret}`).toString("base64")}`,
      },
      body: "grant_type=client_credentials",
    }).then((r) => r.json() as Promise<{ access_token: string }>);
    const byToken = await server.call("DELETE", `/v1/template/${templateId}`, {
      headers: { authorization: `Bearer ${token.access_token}` },
    });
    expect(byToken.json.code).toBe("READ_ONLY_KEY");

    const session = await signIn({ key: reader.key, secret: reader.secret });
    expect(session.json.readOnly).toBe(true);
    const bySession = await withCookie(session.cookie, "DELETE", `/v1/template/${templateId}`, {
      headers: { "x-csrf-token": session.json.csrfToken },
    });
    expect(bySession.json.code).toBe("READ_ONLY_KEY");
    expect((await server.call("GET", `/v1/template/${templateId}`)).status).toBe(200);
  });
});

describe("the page", () => {
  it("is served with a Content-Security-Policy without inline script, and its files with ETags", async () => {
    const page = await fetch(`${server.baseUrl}/console`);
    const html = await page.text();
    expect(page.status).toBe(200);
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.headers.get("cache-control")).toBe("no-store");
    expect(html).not.toMatch(/<script>(?!<)|<script(?![^>]*\bsrc=)[^>]*>[^<]/);
    expect(html).toContain('src="/console/assets/app.js"');

    const app = await fetch(`${server.baseUrl}/console/assets/app.js`);
    expect(app.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const etag = app.headers.get("etag")!;
    await app.text();
    const again = await fetch(`${server.baseUrl}/console/assets/app.js`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    for (const path of ["/console/assets/../../package.json", "/console/assets/nope.js", "/console/assets/%2e%2e/x"]) {
      const missing = await fetch(`${server.baseUrl}${path}`);
      expect(missing.status).toBe(404);
      await missing.arrayBuffer();
    }
  });

  it("draws QR codes only for a signed-in session, of bounded text", async () => {
    expect((await fetch(`${server.baseUrl}/console/qr.svg?text=hello`)).status).toBe(401);
    const { cookie } = await signIn(own());
    const qr = await withCookie(cookie, "GET", "/console/qr.svg?text=https%3A%2F%2Fexample.com");
    expect(qr.status).toBe(200);
    expect(qr.headers.get("content-type")).toBe("image/svg+xml");
    expect((await withCookie(cookie, "GET", `/console/qr.svg?text=${"a".repeat(3000)}`)).status).toBe(400);
  });
});

describe("docs/console.md", () => {
  it("its curl example signs in, reads with the cookie and signs out", async () => {
    const doc = readFileSync(new URL("../../docs/console.md", import.meta.url), "utf8");
    const block = /You can try it with curl[^`]*```sh\n([\s\S]*?)```/.exec(doc)?.[1];
    if (!block) throw new Error("docs/console.md has no curl example");
    const cwd = mkdtempSync(join(tmpdir(), "console-doc-"));

    // The jar is copied before the last line (the sign-out), to try the session's cookie afterwards.
    const lines = block.trimEnd().split("\n");
    const script = [...lines.slice(0, -1), "cp jar signed-in", lines.at(-1)].join("\n");
    const run = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", script], {
      cwd,
      env: { ...process.env, BASE: server.baseUrl, KEY: server.credentials.key, SECRET: server.credentials.secret },
    });
    const [signedIn, projects] = run.stdout.split("\n").filter(Boolean);
    expect(JSON.parse(signedIn!).key).toBe(server.credentials.key);
    expect(JSON.parse(projects!).projects.length).toBeGreaterThan(0);
    const jar = readFileSync(join(cwd, "jar"), "utf8");
    // Signing out cleared the cookie from the jar and ended the session.
    expect(jar).not.toMatch(/wallet_console\t[A-Za-z0-9_-]{43}/);
    const token = /wallet_console\t([A-Za-z0-9_-]{43})/.exec(readFileSync(join(cwd, "signed-in"), "utf8"))?.[1];
    expect(token).toBeDefined();
    expect((await withCookie(`wallet_console=${token}`, "GET", "/console/session")).status).toBe(401);
  });
});
