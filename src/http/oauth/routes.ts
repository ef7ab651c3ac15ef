// POST /token: OAuth 2.0 client credentials, as Airship's Wallet API takes them — the client authenticates with
// an API key and secret (Basic), asks for scopes (`scope=wpas wsch`, or repeated) and optionally client addresses
// (`ipaddr`), and gets a one-hour bearer token. Errors are RFC 6749's {"error", "error_description"}.
import { Type } from "@sinclair/typebox";
import type { FastifyPluginAsync } from "fastify";
import { type AccessTokens, OAuthError } from "../../accounts/access-tokens.js";
import type { ApiKeyService } from "../../accounts/api-keys.js";
import { SCOPES } from "../../accounts/scopes.js";
import { AppError, type ErrorCode } from "../../errors.js";
import { credentialsOf } from "../auth.js";

const MAX_FORM = 8 * 1024;

/** The catalog code (docs/errors.md) that goes with each OAuth error. */
const CODES: Record<OAuthError["error"], ErrorCode> = {
  invalid_request: "VALIDATION_FAILED",
  invalid_client: "UNAUTHORIZED",
  invalid_grant: "UNAUTHORIZED",
  unsupported_grant_type: "VALIDATION_FAILED",
  invalid_scope: "INVALID_SCOPE",
};

export const tokenRoutes: FastifyPluginAsync<{ apiKeys: ApiKeyService; tokens: AccessTokens }> = async (
  app,
  { apiKeys, tokens },
) => {
  // This scope reads the form itself (every field, repeated ones as lists), not the legacy `json` field.
  app.removeContentTypeParser("application/x-www-form-urlencoded");
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string", bodyLimit: MAX_FORM },
    (_request, body, done) => {
      const form: Record<string, string | string[]> = {};
      for (const [name, value] of new URLSearchParams(body as string)) {
        const seen = form[name];
        form[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      done(null, form);
    },
  );
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof OAuthError) {
      reply.code(error.status);
      if (error.error === "invalid_client") reply.header("www-authenticate", 'Basic realm="token"');
      return reply.send({ error: error.error, error_description: error.message, code: CODES[error.error] });
    }
    if (error instanceof AppError && error.status < 500) {
      return reply
        .code(error.status)
        .send({ error: "invalid_request", error_description: error.message, code: error.code });
    }
    throw error;
  });
  app.post(
    "/token",
    {
      schema: {
        tags: ["OAuth"],
        summary: "Request an access token (client credentials)",
        description:
          "Basic auth with an API key and secret; form fields grant_type=client_credentials, scope (space-separated " +
          `or repeated: ${Object.keys(SCOPES).join(", ")}; default every scope the key has) and ipaddr (CIDRs).`,
        consumes: ["application/x-www-form-urlencoded"],
        response: {
          200: Type.Object({
            access_token: Type.String(),
            token_type: Type.Literal("Bearer"),
            expires_in: Type.Integer(),
            scope: Type.String(),
          }),
        },
      },
    },
    async (request, reply) => {
      reply.header("cache-control", "no-store");
      if (!request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded")) {
        throw new OAuthError("invalid_request", "The request must be application/x-www-form-urlencoded");
      }
      const credentials = credentialsOf(request);
      if (credentials?.kind !== "basic")
        throw new OAuthError("invalid_client", "Authenticate with Basic API key:secret");
      const principal = await apiKeys.authenticate(credentials);
      if (!principal) throw new OAuthError("invalid_client", "Unknown API key or wrong secret");
      return tokens.issue(principal, (request.body ?? {}) as Record<string, unknown>);
    },
  );
};
