// Logger options: pino JSON, with credentials never written. Headers are not logged (and authorization and
// cookies are redacted should a serializer ever add them); in URLs, every secret-bearing query parameter is
// redacted by its decoded name (so `api%5Fkey` or `API_KEY` are caught too), as are public download tokens.
import type { FastifyServerOptions } from "fastify";

/** Query parameter names (decoded, lower-cased) whose values are secrets. */
const SECRET_PARAMETER =
  /^(api_?key|apikey|secret|token|access_token|auth|authorization|password|assertion|signature|key)$/;

/** Decodes percent-escapes (and + as space) until the text stops changing; malformed escapes stay as they are. */
function decodeFully(text: string): string {
  let current = text;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current.replace(/\+/g, " "));
    } catch {
      return current;
    }
    if (next === current) break;
    current = next;
  }
  return current;
}

/** A JWT (a save link's, an access token) as a path segment or a parameter value. */
const JWT = /[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/g;

/** The URL with every secret-bearing query parameter's value, download tokens and JWTs replaced. */
export function redactUrl(url: string): string {
  const query = url.indexOf("?");
  const path = (query < 0 ? url : url.slice(0, query))
    .replace(/^(\/v1\/download\/pass\/)[^/?#]+/i, "$1[REDACTED]")
    .replace(JWT, "[REDACTED]");
  if (query < 0) return path;
  const parts = url
    .slice(query + 1)
    .split("&")
    .map((part) => {
      const equals = part.indexOf("=");
      const name = equals < 0 ? part : part.slice(0, equals);
      if (SECRET_PARAMETER.test(decodeFully(name).trim().toLowerCase())) return `${name}=[REDACTED]`;
      return part.replace(JWT, "[REDACTED]");
    });
  return `${path}?${parts.join("&")}`;
}

/** Pino options; `stream` (default stdout) lets a test read what is logged. */
export function loggerOptions(level: string, stream?: { write(line: string): void }): FastifyServerOptions["logger"] {
  return {
    level,
    ...(stream ? { stream } : {}),
    // The level as its name ("info"), as the process's own lines write it: one format for every line.
    formatters: { level: (label: string) => ({ level: label }) },
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", 'res.headers["set-cookie"]'],
      censor: "[REDACTED]",
    },
    serializers: {
      req(request: { method: string; url: string; ip?: string; id?: string }) {
        return { method: request.method, url: redactUrl(request.url), ip: request.ip };
      },
    },
  };
}
