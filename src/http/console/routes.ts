// The web console at /console: one HTML page and its scripts and style (console/ at the repository's root, served
// from memory), and its session: POST /console/session signs in with an API key and secret (rate-limited), GET
// says who is signed in (and the page's CSRF token), DELETE signs out. Everything else the console does goes
// through /v1 and /v0 with the session cookie, under the key's scopes, project limit and read-only flag.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Static, Type } from "@sinclair/typebox";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import QRCode from "qrcode";
import { type ConsoleSession, ConsoleSessions, SESSION_LIFETIME_MS } from "../../accounts/console-sessions.js";
import { SCOPES } from "../../accounts/scopes.js";
import { AppError, unauthorized } from "../../errors.js";
import { enforce, RateLimiter, TooManyRequests } from "../rate-limit.js";
import { clearedSessionCookie, cookieOf, SESSION_COOKIE, sessionCookie } from "./cookie.js";

/** No inline script or style, nothing from elsewhere; previews are same-origin images. */
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const TYPES: Record<string, string> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
};

/** The console's files: console/ above this module (src/http/console under tsx, dist/src/http/console built). */
function consoleDirectory(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const candidate = join(dir, "console");
    if (existsSync(join(candidate, "app.js"))) return candidate;
  }
  throw new Error("The console's files (console/app.js) were not found above the server's modules");
}

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

function loadAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name), `${prefix}${entry.name}/`);
      const type = TYPES[extname(entry.name)];
      if (!entry.isFile() || !type) continue;
      const body = readFileSync(join(dir, entry.name));
      const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
      assets.set(`${prefix}${entry.name}`, { body, type, etag });
    }
  };
  walk(root, "");
  return assets;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wallet console</title><link rel="stylesheet" href="/console/assets/console.css">
<script type="module" src="/console/assets/app.js"></script></head>
<body><a class="skip" href="#main">Skip to content</a><header id="top"></header>
<main id="main" tabindex="-1"><p>Loading…</p></main>
<noscript><p>The console needs JavaScript.</p></noscript></body></html>
`;

const SignInBody = Type.Object(
  {
    key: Type.String({ minLength: 1, maxLength: 200, description: "The API key (wk_…), or an OAuth client's id" }),
    secret: Type.String({ minLength: 1, maxLength: 512, description: "Its secret" }),
    scopes: Type.Optional(
      Type.Array(Type.String({ maxLength: 10 }), {
        maxItems: 20,
        description: `Sign in with only some of the key's scopes, as an OAuth client asks for a token (${Object.keys(SCOPES).join(", ")}); default all`,
      }),
    ),
  },
  { additionalProperties: false },
);

const SessionResponse = Type.Object({
  accountId: Type.Integer(),
  key: Type.String(),
  keyName: Type.String(),
  scopes: Type.Array(Type.String(), { description: "The scopes the session may use" }),
  projectId: Type.Optional(Type.Integer({ description: "The one project the session reaches" })),
  readOnly: Type.Boolean({ description: "The console then offers no changes (the API refuses them anyway)" }),
  csrfToken: Type.String({ description: "Send it as X-CSRF-Token with every change" }),
  expiresAt: Type.String({ format: "date-time" }),
});

const answer = (session: ConsoleSession): Static<typeof SessionResponse> => ({
  accountId: session.principal.accountId,
  key: session.key,
  keyName: session.keyName,
  scopes: [...(session.principal.scopes ?? Object.keys(SCOPES))],
  ...(session.principal.projectId === undefined ? {} : { projectId: session.principal.projectId }),
  readOnly: session.principal.readOnly === true,
  csrfToken: session.csrfToken,
  expiresAt: session.expiresAt.toISOString(),
});

export interface ConsoleRoutesOptions {
  sessions: ConsoleSessions;
  /** Sign-in attempts per client address, and failed ones per key named (default 10 a minute each). */
  signInLimit?: { limit: number; windowMs: number };
}

export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, { sessions, signInLimit }) => {
  const assets = loadAssets(consoleDirectory());
  const rule = signInLimit ?? { limit: 10, windowMs: 60_000 };
  const byAddress = new RateLimiter(rule);
  // Failed attempts per key: guessing one key's secret from many addresses is limited too, while its owner's
  // own sign-ins never lock it.
  const failuresByKey = new RateLimiter(rule);

  app.addHook("onSend", async (_request, reply) => {
    reply.header("content-security-policy", CSP);
    reply.header("x-content-type-options", "nosniff");
    reply.header("referrer-policy", "no-referrer");
    reply.header("x-frame-options", "DENY");
  });

  const sessionOf = async (request: FastifyRequest): Promise<ConsoleSession> => {
    const token = cookieOf(request, SESSION_COOKIE);
    const session = token ? await sessions.resolve(token) : undefined;
    if (!session) throw unauthorized("Not signed in to the console");
    return session;
  };

  const page = async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header("cache-control", "no-store").type("text/html; charset=utf-8").send(PAGE);
  app.get("/console", { schema: { hide: true } }, page);
  app.get("/console/", { schema: { hide: true } }, page);

  app.get<{ Params: { "*": string } }>("/console/assets/*", { schema: { hide: true } }, async (request, reply) => {
    const asset = assets.get(request.params["*"]);
    if (!asset) throw new AppError("ROUTE_NOT_FOUND", "No such console file");
    reply.header("etag", asset.etag).header("cache-control", "no-cache");
    if (request.headers["if-none-match"] === asset.etag) return reply.code(304).send();
    return reply.type(asset.type).send(asset.body);
  });

  app.post(
    "/console/session",
    {
      schema: {
        tags: ["Console"],
        summary: "Sign in to the web console",
        description:
          "Answers the session and sets its cookie (HttpOnly, SameSite=Strict, Secure behind https, 8 hours). " +
          "10 attempts a minute per client address, and 10 failed ones per key, then 429 with Retry-After.",
        body: SignInBody,
        response: { 201: SessionResponse },
      },
    },
    async (request, reply) => {
      const body = request.body as Static<typeof SignInBody>;
      enforce("sign-in attempts", [byAddress, request.ip]);
      const wait = failuresByKey.waitFor(body.key);
      if (wait > 0) throw new TooManyRequests(wait, "failed sign-ins with this key");
      const session = await sessions.signIn(body.key, body.secret, body.scopes).catch((error: unknown) => {
        if (error instanceof AppError && error.code === "UNAUTHORIZED") failuresByKey.hit(body.key);
        throw error;
      });
      reply.header("set-cookie", sessionCookie(request, session.token, SESSION_LIFETIME_MS / 1000));
      reply.header("cache-control", "no-store");
      return reply.code(201).send(answer(session));
    },
  );

  app.get(
    "/console/session",
    {
      schema: {
        tags: ["Console"],
        summary: "The console session the cookie opens",
        response: { 200: SessionResponse },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      return answer(await sessionOf(request));
    },
  );

  app.delete(
    "/console/session",
    {
      schema: {
        tags: ["Console"],
        summary: "Sign out of the web console",
        description: "Needs the session's X-CSRF-Token; ends the session and clears its cookie.",
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const session = await sessionOf(request);
      if (!ConsoleSessions.csrfMatches(session, request.headers["x-csrf-token"])) {
        throw new AppError("CSRF_REJECTED", "Signing out needs the session's X-CSRF-Token header");
      }
      await sessions.signOut(cookieOf(request, SESSION_COOKIE) ?? "");
      reply.header("set-cookie", clearedSessionCookie(request));
      return reply.code(204).send();
    },
  );

  app.get<{ Querystring: { text: string } }>(
    "/console/qr.svg",
    {
      schema: {
        hide: true,
        querystring: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2048 }) }),
      },
    },
    async (request, reply) => {
      await sessionOf(request);
      const svg = await QRCode.toString(request.query.text, { type: "svg", margin: 1, errorCorrectionLevel: "M" });
      return reply.header("cache-control", "private, max-age=300").type("image/svg+xml").send(svg);
    },
  );
};
