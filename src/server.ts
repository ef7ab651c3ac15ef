// Entry point: config → database (embedded if no DATABASE_URL) → migrate → buildApp → listen; with
// WEB_CONCURRENCY > 1, a primary (cluster.ts) forks that many of these.
import cluster from "node:cluster";
import type { Server } from "node:http";
import { runPrimary } from "./cluster.js";
import { ConfigError, loadConfig } from "./config.js";
import { buildApp } from "./http/app.js";
import type { Worker } from "./jobs/queue.js";
import { startMetricsServer } from "./observability/metrics-server.js";
import { openStore } from "./open-store.js";
import { processLog } from "./process-log.js";
import { servicesFor, startJobsWorker } from "./startup.js";
import { startupMessage } from "./startup-errors.js";

const log = processLog;

/** Everything stops within this time of a SIGTERM or SIGINT (then the process exits anyway). */
const SHUTDOWN_LIMIT_MS = 9_000;

let config: ReturnType<typeof loadConfig> | undefined;

async function main(): Promise<void> {
  config = loadConfig();
  if (config.webConcurrency > 1 && cluster.isPrimary) return runPrimary(config, log);
  const store = await openStore(config, log);
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  let worker: Worker | undefined;
  let metricsServer: Server | undefined;
  let stopping = false;
  // What is still starting: a signal that arrives meanwhile waits for it, so whatever it starts (the job worker's
  // rounds) is stopped too, never left running on a closed pool.
  let starting: Promise<unknown> = Promise.resolve();
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received; shutting down`);
    const force = setTimeout(() => {
      log.error(`shutdown took longer than ${SHUTDOWN_LIMIT_MS / 1000} s; exiting`);
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    force.unref();
    try {
      await starting.catch(() => {});
      await app?.http.close();
      metricsServer?.close();
      await worker?.stop();
      await store.close();
      process.exit(0);
    } catch (error) {
      log.error(`shutdown failed: ${(error as Error).message}`);
      process.exit(1);
    }
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  // Started by npm (`npm start`): should npm go without passing its signal on, stop with it.
  if (process.env.npm_lifecycle_event) {
    const parent = process.ppid;
    setInterval(() => {
      if (process.ppid !== parent) void stop("parent exit");
    }, 500).unref();
  }

  try {
    starting = startUp();
    await starting;
  } catch (error) {
    await app?.http.close().catch(() => {});
    metricsServer?.close();
    await worker?.stop();
    await store.close().catch(() => {});
    throw error;
  }

  async function startUp(): Promise<void> {
    if (!config) return;
    const services = await servicesFor(config, store.db, log);
    app = await buildApp(
      { ...config, ...(config.metrics.token ? { metricsToken: config.metrics.token } : {}) },
      services,
      store.db,
    );
    if (config.bootstrapApiKey) {
      const { created } = await app.apiKeys.ensure(config.bootstrapApiKey.key, config.bootstrapApiKey.secret);
      log.info(`bootstrap API key "${config.bootstrapApiKey.key}" ${created ? "created" : "already present"}`);
    }
    await app.http.listen({ port: config.port, host: config.host });
    if (config.metrics.port !== undefined) {
      metricsServer = await startMetricsServer(app.metrics, config.metrics.port, config.metrics.host);
      log.info(`metrics on http://${config.metrics.host}:${config.metrics.port}/metrics`);
    }
    if (config.runWorker) {
      worker = await startJobsWorker(store.db, config, services, log);
    }
  }
}

main().catch((error: unknown) => {
  const known = config ? startupMessage(error, config) : undefined;
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else if (known) {
    log.error(`failed to start: ${known}`);
  } else {
    log.error(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
  process.exit(1);
});
