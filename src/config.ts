// The only reader of the environment: every variable is parsed and checked here, once, at start.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { allowlistEntryProblem } from "./outbound/addresses.js";

/** Google's OAuth token endpoint: the only place service-account assertions go (GOOGLE_TOKEN_URL overrides it). */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token";

export interface Config {
  readonly port: number;
  /** Server processes on this box (WEB_CONCURRENCY): above 1, a primary forks that many, sharing the port. */
  readonly webConcurrency: number;
  /** Where Prometheus scrapes /metrics (its own listener; undefined: none). */
  readonly metrics: { port?: number; host: string; token?: string; workerPort?: number };
  readonly host: string;
  /** Postgres connection string; undefined means "start the embedded Postgres". */
  readonly databaseUrl: string | undefined;
  readonly dataDir: string;
  readonly embeddedPostgresPort: number;
  readonly publicBaseUrl: string;
  readonly logLevel: string;
  readonly dbPoolMax: number;
  /** Longest a statement may run (0: no limit); set-based changes over a whole template or project get 5 minutes. */
  readonly dbStatementTimeoutMs: number;
  readonly authCacheTtlMs: number;
  readonly bodyLimitBytes: number;
  /** Proxies whose X-Forwarded-For names the client (rate limits count client addresses): false, true, a hop count or addresses. */
  readonly trustProxy: boolean | number | string;
  readonly bootstrapApiKey: { readonly key: string; readonly secret: string } | undefined;
  readonly isProduction: boolean;
  /** Run the job worker inside the server process (default) — or only in `npm run worker` processes. */
  readonly runWorker: boolean;
  readonly workerConcurrency: number;
  readonly jobStaleAfterMs: number;
  /** A job worker silent (no heartbeat) for this long is dead: its jobs are released to the others. */
  readonly workerLeaseMs: number;
  readonly bulkUpdateBatchSize: number;
  /** How long the pass-event log keeps an event. */
  readonly passEventRetentionDays: number;
  /** Master key for secrets at rest (base64 or hex, 32 bytes); unset: generated into the data dir. */
  readonly walletEncryptionKey: string | undefined;
  /** The key secrets were sealed with before a rotation: read (never written) until `cli secrets rotate-key`. */
  readonly previousEncryptionKey: string | undefined;
  readonly apple: AppleConfig;
  readonly apns: ApnsConfig;
  readonly google: GoogleConfig;
  readonly outbound: OutboundConfig;
}

export interface OutboundConfig {
  /** Private hosts, IPs and CIDR ranges the server may reach on a caller's behalf (images, callbacks). */
  readonly allowlist: readonly string[];
  /** Plain http to public hosts (https only by default). */
  readonly allowHttp: boolean;
}

export interface GoogleConfig {
  /** Server-wide default issuer: the service account's JSON key file, and the issuer id. */
  readonly serviceAccountFile: string | undefined;
  readonly issuerId: string | undefined;
  readonly apiUrl: string;
  readonly callbackKeysUrl: string;
  /** The OAuth token endpoint service-account assertions are posted to (a key's own token_uri is not used). */
  readonly tokenUrl: string;
  /** Keyless: the service account Application Default Credentials act as (instead of a key file). */
  readonly serviceAccountEmail: string | undefined;
  /** The IAM Credentials API keyless issuers use (tokens, save-link signatures). */
  readonly iamCredentialsUrl: string;
  /** Wallet API calls per second per Google Cloud project, shared by every process (Google's default quota: 20). */
  readonly maxRequestsPerSecond: number;
}

export interface AppleConfig {
  /** Server-wide default pass certificate: a PEM (certificate, optionally with its key) or .p12 file path. */
  readonly passCertFile: string | undefined;
  readonly passKeyFile: string | undefined;
  readonly passCertPassword: string | undefined;
  /** Apple's WWDR intermediate (PEM path); default: the bundled G4 certificate. */
  readonly wwdrCertFile: string;
  readonly imageFetchTimeoutMs: number;
}

export interface ApnsConfig {
  /** host:port of APNs. */
  readonly host: string;
  /** Token (.p8) authentication; without it, each project's pass certificate is the TLS client certificate. */
  readonly keyFile: string | undefined;
  readonly keyId: string | undefined;
  readonly teamId: string | undefined;
  /** Extra CA certificates to trust for APNs (a proxy, or a test server); default: the system's. */
  readonly caFile: string | undefined;
}

/** The project's folder (where certs/ lives), whether running from src/ or dist/src/. */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4 && !existsSync(join(dir, "package.json")); i++) dir = dirname(dir);
  return dir;
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
  const webConcurrency = integer("WEB_CONCURRENCY", 1, 1, 256);
  // /metrics is never open on the public port: its own listener (127.0.0.1:9464 by default; METRICS_PORT=off for
  // none), and on the public port only with METRICS_TOKEN as a bearer token.
  const metricsPortText = text("METRICS_PORT") ?? "9464";
  const metricsPort = metricsPortText === "off" ? undefined : integer("METRICS_PORT", 9464, 1, 65535);
  const metricsToken = text("METRICS_TOKEN");
  if (metricsToken !== undefined && metricsToken.length < 16)
    problems.push("METRICS_TOKEN must be at least 16 characters");
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
  const dbStatementTimeoutMs = integer("DB_STATEMENT_TIMEOUT_MS", 10_000, 0, 3_600_000);
  const authCacheTtlMs = integer("AUTH_CACHE_TTL_MS", 30_000, 0, 3_600_000);
  const bodyLimitBytes = integer("BODY_LIMIT_BYTES", 5 * 1024 * 1024, 1024, 100 * 1024 * 1024);

  const trustProxyText = text("TRUST_PROXY") ?? "false";
  let trustProxy: boolean | number | string = trustProxyText;
  if (/^(true|false)$/i.test(trustProxyText)) trustProxy = trustProxyText.toLowerCase() === "true";
  else if (/^\d{1,2}$/.test(trustProxyText)) trustProxy = Number(trustProxyText);
  else if (!/^[0-9a-fA-F.:/,\s]+$/.test(trustProxyText)) {
    problems.push("TRUST_PROXY must be true, false, a number of proxy hops, or comma-separated proxy addresses/CIDRs");
  }

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
  const workerLeaseMs = integer("WORKER_LEASE_MS", 10_000, 1000, 3_600_000);
  const bulkUpdateBatchSize = integer("BULK_UPDATE_BATCH_SIZE", 2000, 1, 100_000);
  const passEventRetentionDays = integer("PASS_EVENT_RETENTION_DAYS", 400, 1, 36_500);

  const keyText = (name: string) => {
    const value = text(name);
    if (value === undefined) return undefined;
    const bytes = /^[0-9a-f]{64}$/i.test(value) ? 32 : Buffer.from(value, "base64").length;
    if (bytes !== 32) problems.push(`${name} must be 32 bytes written as base64 or 64 hex digits`);
    return value;
  };
  const walletEncryptionKey = keyText("WALLET_ENCRYPTION_KEY");
  const previousEncryptionKey = keyText("WALLET_ENCRYPTION_KEY_PREVIOUS");
  if (previousEncryptionKey !== undefined && walletEncryptionKey === undefined) {
    problems.push("WALLET_ENCRYPTION_KEY_PREVIOUS needs WALLET_ENCRYPTION_KEY (the new key) too");
  }
  const apple: AppleConfig = {
    passCertFile: text("APPLE_PASS_CERT"),
    passKeyFile: text("APPLE_PASS_KEY"),
    passCertPassword: source.APPLE_PASS_CERT_PASSWORD,
    wwdrCertFile: resolve(text("APPLE_WWDR_CERT") ?? join(projectRoot(), "certs", "apple-wwdr-g4.pem")),
    imageFetchTimeoutMs: integer("IMAGE_FETCH_TIMEOUT_MS", 10_000, 100, 120_000),
  };
  if (apple.passKeyFile && !apple.passCertFile) problems.push("APPLE_PASS_KEY needs APPLE_PASS_CERT");
  for (const [name, file] of [
    ["APPLE_PASS_CERT", apple.passCertFile],
    ["APPLE_PASS_KEY", apple.passKeyFile],
    ["APPLE_WWDR_CERT", apple.wwdrCertFile],
  ] as const) {
    if (file !== undefined && !existsSync(file)) problems.push(`${name}: no file at ${file}`);
  }
  const apns: ApnsConfig = {
    host: text("APNS_HOST") ?? "api.push.apple.com:443",
    keyFile: text("APNS_KEY_FILE"),
    keyId: text("APNS_KEY_ID"),
    teamId: text("APNS_TEAM_ID"),
    caFile: text("APNS_CA_FILE"),
  };
  if (!/^[A-Za-z0-9.-]+(:\d{1,5})?$/.test(apns.host)) problems.push("APNS_HOST must be host or host:port");
  const tokenParts = [apns.keyFile, apns.keyId, apns.teamId].filter((v) => v !== undefined).length;
  if (tokenParts !== 0 && tokenParts !== 3) {
    problems.push("APNS_KEY_FILE, APNS_KEY_ID and APNS_TEAM_ID must be set together (token authentication)");
  }
  for (const [name, file] of [
    ["APNS_KEY_FILE", apns.keyFile],
    ["APNS_CA_FILE", apns.caFile],
  ] as const) {
    if (file !== undefined && !existsSync(file)) problems.push(`${name}: no file at ${file}`);
  }

  const google: GoogleConfig = {
    serviceAccountFile: text("GOOGLE_SERVICE_ACCOUNT"),
    issuerId: text("GOOGLE_ISSUER_ID"),
    apiUrl: (text("GOOGLE_WALLET_API_URL") ?? "https://walletobjects.googleapis.com").replace(/\/+$/, ""),
    callbackKeysUrl: text("GOOGLE_CALLBACK_KEYS_URL") ?? "https://pay.google.com/gp/m/issuer/keys",
    tokenUrl: text("GOOGLE_TOKEN_URL") ?? GOOGLE_TOKEN_URL,
    maxRequestsPerSecond: integer("GOOGLE_MAX_REQUESTS_PER_SECOND", 20, 1, 100_000),
    serviceAccountEmail: text("GOOGLE_SERVICE_ACCOUNT_EMAIL"),
    iamCredentialsUrl: (text("GOOGLE_IAM_CREDENTIALS_URL") ?? "https://iamcredentials.googleapis.com").replace(
      /\/+$/,
      "",
    ),
  };
  if (google.serviceAccountFile !== undefined && google.serviceAccountEmail !== undefined) {
    problems.push("set GOOGLE_SERVICE_ACCOUNT (a key file) or GOOGLE_SERVICE_ACCOUNT_EMAIL (keyless), not both");
  } else if (
    (google.serviceAccountFile === undefined && google.serviceAccountEmail === undefined) !==
    (google.issuerId === undefined)
  ) {
    problems.push("GOOGLE_ISSUER_ID needs GOOGLE_SERVICE_ACCOUNT or GOOGLE_SERVICE_ACCOUNT_EMAIL, and they need it");
  }
  if (google.serviceAccountEmail !== undefined && !/^[^@\s]+@[^@\s]+$/.test(google.serviceAccountEmail)) {
    problems.push("GOOGLE_SERVICE_ACCOUNT_EMAIL must be a service account's e-mail address");
  }
  if (google.issuerId !== undefined && !/^[0-9]{1,30}$/.test(google.issuerId)) {
    problems.push("GOOGLE_ISSUER_ID must be the numeric issuer id");
  }
  if (google.serviceAccountFile !== undefined && !existsSync(google.serviceAccountFile)) {
    problems.push(`GOOGLE_SERVICE_ACCOUNT: no file at ${google.serviceAccountFile}`);
  }
  for (const [name, url] of [
    ["GOOGLE_WALLET_API_URL", google.apiUrl],
    ["GOOGLE_CALLBACK_KEYS_URL", google.callbackKeysUrl],
    ["GOOGLE_TOKEN_URL", google.tokenUrl],
    ["GOOGLE_IAM_CREDENTIALS_URL", google.iamCredentialsUrl],
  ] as const) {
    if (!/^https?:\/\/[^\s]+$/.test(url)) problems.push(`${name} must be an http(s) URL`);
  }

  const allowlist = (text("OUTBOUND_ALLOWLIST") ?? "")
    .split(",")
    .map((entry) =>
      entry
        .trim()
        .toLowerCase()
        .replace(/^\[|\]$/g, ""),
    )
    .filter((entry) => entry !== "");
  for (const entry of allowlist) {
    const problem = allowlistEntryProblem(entry);
    if (problem) problems.push(`OUTBOUND_ALLOWLIST: ${problem}`);
  }
  const allowHttpText = (text("OUTBOUND_ALLOW_HTTP") ?? "false").toLowerCase();
  if (!["true", "false", "1", "0"].includes(allowHttpText)) problems.push("OUTBOUND_ALLOW_HTTP must be true or false");
  const outbound: OutboundConfig = { allowlist, allowHttp: allowHttpText === "true" || allowHttpText === "1" };

  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({
    port,
    webConcurrency,
    metrics: Object.freeze({
      ...(metricsPort === undefined ? {} : { port: metricsPort }),
      host: text("METRICS_HOST") ?? "127.0.0.1",
      ...(metricsToken === undefined ? {} : { token: metricsToken }),
      ...(text("WORKER_METRICS_PORT") === undefined
        ? {}
        : { workerPort: integer("WORKER_METRICS_PORT", 9465, 1, 65535) }),
    }),
    host,
    databaseUrl,
    dataDir,
    embeddedPostgresPort,
    publicBaseUrl,
    logLevel,
    dbPoolMax,
    dbStatementTimeoutMs,
    authCacheTtlMs,
    bodyLimitBytes,
    trustProxy,
    bootstrapApiKey: bootstrapApiKey && Object.freeze(bootstrapApiKey),
    isProduction: source.NODE_ENV === "production",
    runWorker: runWorkerText === "true" || runWorkerText === "1",
    workerConcurrency,
    jobStaleAfterMs,
    workerLeaseMs,
    bulkUpdateBatchSize,
    passEventRetentionDays,
    walletEncryptionKey,
    previousEncryptionKey,
    apple: Object.freeze(apple),
    apns: Object.freeze(apns),
    google: Object.freeze(google),
    outbound: Object.freeze(outbound),
  });
}
