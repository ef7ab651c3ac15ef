// Authentication and authorization for the Airship-compatible API. Accepted forms:
//   Authorization: Basic base64(key:secret)      (Airship)
//   Authorization: Bearer <access token>         (OAuth 2.0: POST /token)
//   Authorization: Bearer <secret>
//   api_key=<secret> or api_key=<key>:<secret>   (legacy PassTools: query string or form body)
//   the web console's session cookie             (http/console: a change also needs its X-CSRF-Token)
// A read-only key (or its token or session) may only read: GET, HEAD, and the POSTs a route marks `reads`.
// A principal limited to scopes (a token, or a key made with --scope) reaches only the routes of those scopes
// (each route declares its scope: http/access.ts); one limited to a project only that project
// (http/project-limit.ts, from the owner the route declares).
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AccessTokens } from "../accounts/access-tokens.js";
import type { ApiKeyService, Credentials, Principal } from "../accounts/api-keys.js";
import { ConsoleSessions } from "../accounts/console-sessions.js";
import { SCOPES } from "../accounts/scopes.js";
import { AppError, unauthorized } from "../errors.js";
import { type Access, ownerProblem } from "./access.js";
import { cookieOf, SESSION_COOKIE } from "./console/cookie.js";
import { legacyApiKeyOf } from "./legacy-form.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const MAX_CREDENTIAL_LENGTH = 1024;

/** Legacy clients sometimes form-encode the key twice (`%253A` for ":"): decode until it stops changing. */
function decodeUntilStable(value: string): string {
  let current = value;
  for (let i = 0; i < 3 && /%[0-9A-Fa-f]{2}/.test(current); i++) {
    try {
      const next = decodeURIComponent(current);
      if (next === current) break;
      current = next;
    } catch {
      break;
    }
  }
  return current;
}

function parseApiKeyParameter(raw: string): Credentials {
  const value = decodeUntilStable(raw);
  const colon = value.indexOf(":");
  return colon > 0
    ? { kind: "basic", key: value.slice(0, colon), secret: value.slice(colon + 1) }
    : { kind: "secret", secret: value };
}

/** Reads the credentials a request carries, or undefined if it carries none we understand. */
export function credentialsOf(request: FastifyRequest): Credentials | undefined {
  const header = request.headers.authorization;
  if (typeof header === "string" && header.length <= MAX_CREDENTIAL_LENGTH) {
    const space = header.indexOf(" ");
    const scheme = header.slice(0, space).toLowerCase();
    const value = header.slice(space + 1).trim();
    if (scheme === "basic") {
      const decoded = Buffer.from(value, "base64").toString("utf8");
      const colon = decoded.indexOf(":");
      if (colon <= 0) return undefined;
      return { kind: "basic", key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
    }
    if (scheme === "bearer" && value) return { kind: "secret", secret: value };
    return undefined;
  }
  const apiKey = legacyApiKeyOf(request);
  if (apiKey && apiKey.length <= MAX_CREDENTIAL_LENGTH) return parseApiKeyParameter(apiKey);
  return undefined;
}

/**
 * The principal of a console session cookie. A change must carry the session's CSRF token in X-CSRF-Token and,
 * when the browser names an Origin, come from this server's own: a page of another site can do neither.
 */
async function sessionPrincipal(request: FastifyRequest, sessions: ConsoleSessions, token: string) {
  const session = await sessions.resolve(token);
  if (!session) throw unauthorized("The console session has ended: sign in again");
  if (!SAFE_METHODS.has(request.method)) {
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `${request.protocol}://${request.host}`) {
      throw new AppError("CSRF_REJECTED", `A change from the origin ${String(origin).slice(0, 100)} is refused`);
    }
    if (!ConsoleSessions.csrfMatches(session, request.headers["x-csrf-token"])) {
      throw new AppError("CSRF_REJECTED", "A change made with the console's session needs its X-CSRF-Token header");
    }
  }
  return session.principal;
}

/** Who the request's credentials stand for: an API key, an access token issued to one, or a console session. */
export async function principalOf(
  request: FastifyRequest,
  apiKeys: ApiKeyService,
  tokens: AccessTokens,
  sessions?: ConsoleSessions,
): Promise<Principal> {
  const credentials = credentialsOf(request);
  if (!credentials) {
    const token = sessions ? cookieOf(request, SESSION_COOKIE) : undefined;
    if (sessions && token) return sessionPrincipal(request, sessions, token);
    throw unauthorized();
  }
  if (credentials.kind === "secret" && AccessTokens.looksLikeToken(credentials.secret)) {
    const verified = await tokens.verify(credentials.secret, request.ip);
    if ("refused" in verified) throw unauthorized(verified.refused);
    if (!(await apiKeys.isLive(verified.apiKeyId))) throw unauthorized("The access token's API key was revoked");
    return verified;
  }
  const principal = await apiKeys.authenticate(credentials);
  if (!principal) throw unauthorized();
  return principal;
}

/**
 * Requires valid credentials on every route registered in `app` (an encapsulated /v1 or /v0 scope), each route
 * holding the OAuth scope it declares (`config: access(scope, owner)`); `limitProject` checks a project-limited
 * principal's reach. A route without a declaration, or whose path lacks what its owner is found by, stops the
 * server from starting.
 */
export function requireApiKey(
  app: FastifyInstance,
  apiKeys: ApiKeyService,
  tokens: AccessTokens,
  limitProject: (request: FastifyRequest, principal: Principal) => Promise<void>,
  sessions?: ConsoleSessions,
): void {
  app.addHook("onRoute", (route) => {
    const declared = (route.config as { access?: Access } | undefined)?.access;
    if (!declared) {
      throw new Error(
        `The authenticated route ${String(route.method)} ${route.url} declares no access: add config: access(scope, owner)`,
      );
    }
    const problem = ownerProblem(route.url, declared.owner);
    if (problem) throw new Error(`The authenticated route ${String(route.method)} ${route.url}: ${problem}`);
    const scope = declared.scope;
    // The OpenAPI document names the scope each operation needs.
    if (route.schema)
      route.schema = { ...route.schema, security: [{ basic: [] }, { bearer: [] }, { oauth2: [scope] }] };
  });
  // preValidation: after the body is parsed (a legacy form body may carry api_key), before it is validated,
  // so an unauthenticated caller learns nothing about the request schema.
  app.addHook("preValidation", async (request) => {
    const principal = await principalOf(request, apiKeys, tokens, sessions);
    const declared = request.routeOptions.config.access;
    const scope = declared?.scope;
    if (principal.scopes && (!scope || !principal.scopes.includes(scope))) {
      throw new AppError(
        "SCOPE_REQUIRED",
        `This route needs the scope ${scope ?? "(none)"} (${scope ? SCOPES[scope] : "not available to scoped credentials"}), which these credentials do not have`,
        { scope },
      );
    }
    if (principal.readOnly && !SAFE_METHODS.has(request.method) && !declared?.reads) {
      throw new AppError("READ_ONLY_KEY", "These credentials are read-only: they may not make changes");
    }
    if (principal.projectId !== undefined) await limitProject(request, principal);
    request.principal = principal;
  });
}

/** The account of an authenticated request; routes behind requireApiKey always have one. */
export function accountOf(request: FastifyRequest): number {
  if (!request.principal) throw unauthorized();
  return request.principal.accountId;
}
