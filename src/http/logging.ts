// Logger options: pino JSON, with credentials never written (headers redacted, api_key stripped from URLs).
import type { FastifyServerOptions } from "fastify";

/** Replaces the value of credential-bearing query parameters. */
export function redactUrl(url: string): string {
  return url.replace(/([?&](?:api_key|secret|token)=)[^&#]*/gi, "$1[REDACTED]");
}

export function loggerOptions(level: string): FastifyServerOptions["logger"] {
  return {
    level,
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
