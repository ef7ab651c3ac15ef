// A real server on a loopback port over a fresh database, with an API key, for driving the API over HTTP.
import { randomBytes, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { ApnsOptions } from "../../src/apple/apns.js";
import type { AppleSetup } from "../../src/apple/setup.js";
import type { Clock } from "../../src/clock.js";
import { composeServices } from "../../src/composition.js";
import { openDatabase } from "../../src/db/client.js";
import type { PassChangedSubscriber } from "../../src/domain/wallet-port.js";
import type { GoogleSetup } from "../../src/google/setup.js";
import { type App, buildApp } from "../../src/http/app.js";
import type { Worker } from "../../src/jobs/queue.js";
import { startJobWorker } from "../../src/jobs/worker.js";
import { SecretBox } from "../../src/secrets/encryption.js";
import { createTestDatabase, type TestDatabase } from "./database.js";

export interface Credentials {
  readonly key: string;
  readonly secret: string;
  readonly accountId: number;
}

export interface TestServer {
  readonly baseUrl: string;
  readonly app: App;
  readonly database: TestDatabase;
  /** The first account's key; `newAccount()` makes more. */
  readonly credentials: Credentials;
  newAccount(name?: string): Promise<Credentials>;
  /** JSON request authenticated with Basic auth (unless `auth: false` or other headers given). */
  call(method: string, path: string, options?: CallOptions): Promise<TestResponse>;
  /** Another job worker on the same database (as a second worker process would be); stopped by close() too. */
  startWorker(): Promise<Worker>;
  close(): Promise<void>;
}

export interface CallOptions {
  body?: unknown;
  rawBody?: string;
  contentType?: string;
  headers?: Record<string, string>;
  as?: Credentials | null;
}

export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  // biome-ignore lint/suspicious/noExplicitAny: tests read response JSON loosely and assert on it.
  readonly json: any;
}

/** The test servers' WALLET_ENCRYPTION_KEY (worker processes a test starts need the same). */
export const TEST_WALLET_ENCRYPTION_KEY = randomBytes(32).toString("base64");

export const basic = (c: { key: string; secret: string }) =>
  `Basic ${Buffer.from(`${c.key}:${c.secret}`).toString("base64")}`;

export async function startTestServer(
  options: {
    authCacheTtlMs?: number;
    bodyLimitBytes?: number;
    worker?: boolean;
    subscribers?: PassChangedSubscriber[];
    /** Apple: the WWDR certificate and server default identity (default: the bundled WWDR, no default). */
    apple?: AppleSetup;
    /** Starts the APNs push subscriber against this (fake) APNs. */
    apns?: ApnsOptions;
    /** Google: the server-wide issuer (default none: development key) and the (fake) API and key URLs. */
    google?: GoogleSetup & { apiUrl?: string; callbackKeysUrl?: string; maxRequestsPerSecond?: number };
    imageFetchTimeoutMs?: number;
    /** Receives the log lines (at level info) instead of silence. */
    logStream?: { write(line: string): void };
    /** Outbound rules (default: loopback allowlisted, so tests' local image servers answer). */
    outbound?: { allowlist: string[]; allowHttp: boolean };
    /** The first delivery retry's delay (default 200 ms). */
    deliveryRetryBaseMs?: number;
    /** The services' clock (default the system's). */
    clock?: Clock;
    /** Opens GET /metrics on the public port to this bearer token. */
    metricsToken?: string;
    /** Trusts X-Forwarded-For from these proxies (so a test can speak for many client addresses). */
    trustProxy?: string;
    /** The pool's statement time limit (default none). */
    statementTimeoutMs?: number;
  } = {},
): Promise<TestServer> {
  const database = await createTestDatabase();
  const db = openDatabase(database.url, 5, { statementTimeoutMs: options.statementTimeoutMs ?? 0 });
  // The public base URL must name the real port (it goes into passes' webServiceURL): take a free port first.
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const services = await composeServices(
    {
      authCacheTtlMs: options.authCacheTtlMs ?? 30_000,
      publicBaseUrl: baseUrl,
      imageFetchTimeoutMs: options.imageFetchTimeoutMs ?? 3000,
      outbound: options.outbound ?? { allowlist: ["127.0.0.1"], allowHttp: false },
      google: {
        apiUrl: options.google?.apiUrl ?? "http://127.0.0.1:9/unreachable",
        // The fake Google serves its OAuth endpoint beside its API.
        tokenUrl: options.google?.apiUrl ? `${options.google.apiUrl}/token` : "http://127.0.0.1:9/unreachable",
        callbackKeysUrl: options.google?.callbackKeysUrl ?? "http://127.0.0.1:9/unreachable",
        // Unpaced unless a test asks (the default, Google's 20 a second, would slow every Google test).
        maxRequestsPerSecond: options.google?.maxRequestsPerSecond ?? 10_000,
      },
      googleBackoffMs: 10,
      deliveryRetryBaseMs: options.deliveryRetryBaseMs ?? 200,
    },
    {
      db,
      secrets: SecretBox.fromText(TEST_WALLET_ENCRYPTION_KEY),
      apple: options.apple ?? { wwdr: new X509Certificate(readFileSync("certs/apple-wwdr-g4.pem")) },
      google: options.google?.defaultIssuer ? { defaultIssuer: options.google.defaultIssuer } : {},
      // Without a fake APNs, pushes go to a closed loopback port: they fail at once and reach nothing outside.
      apns: options.apns ?? { host: "127.0.0.1:9", attempts: 1, timeoutMs: 500 },
      ...(options.clock ? { clock: options.clock } : {}),
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    },
  );
  const app = await buildApp(
    {
      logLevel: options.logStream ? "info" : "silent",
      ...(options.logStream ? { logStream: options.logStream } : {}),
      bodyLimitBytes: options.bodyLimitBytes ?? 1024 * 1024,
      publicBaseUrl: baseUrl,
      ...(options.metricsToken ? { metricsToken: options.metricsToken } : {}),
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    },
    services,
    db,
  );
  await app.http.listen({ port, host: "127.0.0.1" });
  const extraWorkers: Worker[] = [];
  const startWorker = () =>
    startJobWorker(db.pool, {
      pollIntervalMs: 100,
      subscribers: [...(options.subscribers ?? []), ...services.jobs.subscribers],
      templateSubscribers: services.jobs.templateSubscribers,
      staleAfterMs: 5000,
      rounds: services.jobs.rounds(true),
    });
  const worker = options.worker ? await startWorker() : undefined;
  const newAccount = async (name = "test account") => app.apiKeys.create(name);
  const credentials = await newAccount();

  const call = async (method: string, path: string, opts: CallOptions = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { "api-revision": "1.2", ...opts.headers };
    const as = opts.as === undefined ? credentials : opts.as;
    if (as && !("authorization" in headers)) headers.authorization = basic(as);
    let body: string | undefined;
    if (opts.rawBody !== undefined) {
      body = opts.rawBody;
      headers["content-type"] = opts.contentType ?? "application/json";
    } else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers["content-type"] = "application/json";
    }
    const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json };
  };

  return {
    baseUrl,
    app,
    database,
    credentials,
    newAccount,
    call,
    async startWorker() {
      const extra = await startWorker();
      extraWorkers.push(extra);
      return extra;
    },
    async close() {
      await app.http.close();
      await worker?.stop();
      for (const extra of extraWorkers) await extra.stop();
      services.jobs.close();
      await db.close();
      await database.drop();
    },
  };
}

// A test takes a port, lets it go, and binds it again later (often in a child process that takes seconds to
// start). A port from the kernel's ephemeral range could meanwhile go to another test file's server, and the test
// would then talk to that server. So each vitest worker hands out its own slice of ports below the ephemeral
// range (32768 and up on Linux), one after another, skipping any in use.
const SLICE_START = 20_000;
const SLICE_SIZE = 1_000;
const SLICES = 12;
const slice = (Number(process.env.VITEST_POOL_ID ?? process.pid) % SLICES) * SLICE_SIZE + SLICE_START;
// Each test file loads this anew: start at a random place so a file does not reuse its predecessor's ports.
let nextInSlice = Math.floor(Math.random() * SLICE_SIZE);

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** A loopback port free right now that no other test file of this run will be handed. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < SLICE_SIZE; tries++) {
    const port = slice + (nextInSlice++ % SLICE_SIZE);
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port in ${slice}-${slice + SLICE_SIZE - 1}`);
}

/** Asserts-friendly check of the JSON error shape. */
export function isJsonError(response: TestResponse): boolean {
  return (
    typeof response.json === "object" &&
    response.json !== null &&
    typeof response.json.error === "string" &&
    typeof response.json.code === "string"
  );
}

/** A project with one Apple template holding a single `Points` field: the smallest setup a pass test needs. */
export async function pointsTemplate(
  server: TestServer,
  name: string,
): Promise<{ projectId: number; templateId: number }> {
  const project = await server.call("POST", "/v1/project", { body: { name, projectType: "loyalty" } });
  const template = await server.call("POST", `/v1/template/${project.json.id}`, {
    body: { name: "t", vendor: "Apple", type: "Store Card", fields: { Points: { fieldType: "primary", value: "0" } } },
  });
  return { projectId: project.json.id, templateId: template.json.templateId };
}
