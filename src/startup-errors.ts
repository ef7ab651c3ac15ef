// What a server that cannot start says: one line naming the cause and what to do (a taken port, an unreachable
// database), instead of a stack trace. Anything else is reported with its stack by the caller.
import type { Config } from "./config.js";

interface SystemError {
  code?: string;
  address?: string;
  port?: number;
  hostname?: string;
}

/** A start-up failure whose message says it all (no stack trace needed). */
export class StartupError extends Error {
  override name = "StartupError";
}

/** The one-line explanation of a known start-up failure, or undefined. */
export function startupMessage(
  error: unknown,
  config: Pick<Config, "port" | "host" | "databaseUrl">,
): string | undefined {
  if (error instanceof StartupError) return error.message;
  const e = (error ?? {}) as SystemError & { message?: string };
  if (e.code === "EADDRINUSE" && e.port === config.port) {
    return `port ${config.port} on ${config.host} is already in use: stop the program using it, or set PORT to a free port`;
  }
  if (e.code === "EADDRINUSE") {
    return `port ${e.port} on ${e.address} is already in use (METRICS_PORT?): stop the program using it, or set that port to a free one (METRICS_PORT=off for no metrics listener)`;
  }
  if (
    config.databaseUrl &&
    ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH"].includes(e.code ?? "")
  ) {
    const where = databaseHost(config.databaseUrl);
    return `cannot reach the database at ${where} (DATABASE_URL): ${e.code}. Check that Postgres runs there and the host and port are right`;
  }
  return undefined;
}

/** host:port of a connection string, without its credentials. */
function databaseHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`;
  } catch {
    return "(an unreadable DATABASE_URL)";
  }
}
