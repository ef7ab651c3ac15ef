// The only reader of the environment: every variable is parsed and checked here, once, at start.
import { resolve } from "node:path";

export interface Config {
  readonly port: number;
  readonly host: string;
  /** Postgres connection string; undefined means "start the embedded Postgres". */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPostgresPort: number;
  readonly publicBaseUrl: string;
  readonly logLevel: string;
  readonly dbPoolMax: number;
  readonly authCacheTtlMs: number;
  readonly bodyLimitBytes: number;
  readonly bootstrapApiKey: { readonly key: string; readonly secret: string } | undefined;
  readonly isProduction: boolean;
  /** Run the job worker inside the server process (default) — or only in `npm run worker` processes. */
  readonly runWorker: boolean;
  readonly workerConcurrency: number;
  readonly jobStaleAfterMs: number;
  readonly bulkUpdateBatchSize: number;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

type Source = Readonly<Record<string, string | undefined>>;

const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

/** Reads and validates configuration; throws ConfigError listing every problem at once. */
export function loadConfig(source: Source = process.env): Config {
  const problems: string[] = [];
  const text = (name: string): string | undefined => {
    const value = source[name]?.trim();
    return value === "" ? undefined : value;
  };
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = text(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be an integer from ${min} to ${max} (got "${raw}")`);
      return fallback;
    }
    return value;
  };

  const port = integer("PORT", 3000, 0, 65535);
  const host = text("HOST") ?? "0.0.0.0";
  const databaseUrl = text("DATABASE_URL");
  if (databaseUrl !== undefined && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push("DATABASE_URL must be a postgres:// or postgresql:// URL");
  }
  const dataDir = resolve(text("DATA_DIR") ?? "./data");
  const embeddedPostgresPort = integer("EMBEDDED_PG_PORT", 54329, 1, 65535);

  let publicBaseUrl = text("PUBLIC_BASE_URL") ?? `http://localhost:${port}`;
  try {
    const url = new URL(publicBaseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
    publicBaseUrl = publicBaseUrl.replace(/\/+$/, "");
  } catch {
    problems.push(`PUBLIC_BASE_URL must be an http(s) URL (got "${publicBaseUrl}")`);
  }

  const logLevel = text("LOG_LEVEL") ?? "info";
  if (!LOG_LEVELS.includes(logLevel)) problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}`);

  const dbPoolMax = integer("DB_POOL_MAX", 10, 1, 1000);
  const authCacheTtlMs = integer("AUTH_CACHE_TTL_MS", 30_000, 0, 3_600_000);
  const bodyLimitBytes = integer("BODY_LIMIT_BYTES", 5 * 1024 * 1024, 1024, 100 * 1024 * 1024);

  const bootstrapKey = text("BOOTSTRAP_API_KEY");
  const bootstrapSecret = text("BOOTSTRAP_API_SECRET");
  let bootstrapApiKey: Config["bootstrapApiKey"];
  if ((bootstrapKey === undefined) !== (bootstrapSecret === undefined)) {
    problems.push("BOOTSTRAP_API_KEY and BOOTSTRAP_API_SECRET must be set together");
  } else if (bootstrapKey !== undefined && bootstrapSecret !== undefined) {
    if (!/^[A-Za-z0-9._~-]{1,128}$/.test(bootstrapKey)) {
      problems.push("BOOTSTRAP_API_KEY may hold only letters, digits and . _ ~ - (at most 128)");
    }
    if (bootstrapSecret.length < 32) problems.push("BOOTSTRAP_API_SECRET must be at least 32 characters");
    if (bootstrapSecret.includes(":")) problems.push("BOOTSTRAP_API_SECRET must not contain ':'");
    bootstrapApiKey = { key: bootstrapKey, secret: bootstrapSecret };
  }

  const runWorkerText = (text("RUN_WORKER") ?? "true").toLowerCase();
  if (!["true", "false", "1", "0"].includes(runWorkerText)) problems.push("RUN_WORKER must be true or false");
  const workerConcurrency = integer("WORKER_CONCURRENCY", 4, 1, 100);
  const jobStaleAfterMs = integer("JOB_STALE_AFTER_MS", 60_000, 1000, 86_400_000);
  const bulkUpdateBatchSize = integer("BULK_UPDATE_BATCH_SIZE", 2000, 1, 100_000);

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    host,
    databaseUrl,
    dataDir,
    embeddedPostgresPort,
    publicBaseUrl,
    logLevel,
    dbPoolMax,
    authCacheTtlMs,
    bodyLimitBytes,
    bootstrapApiKey: bootstrapApiKey && Object.freeze(bootstrapApiKey),
    isProduction: source.NODE_ENV === "production",
    runWorker: runWorkerText === "true" || runWorkerText === "1",
    workerConcurrency,
    jobStaleAfterMs,
    bulkUpdateBatchSize,
  });
}
