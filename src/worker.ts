// `npm run worker`: a process that only runs jobs (bulk updates, pass-changed deliveries), beside or instead of
// the server's in-process worker. Scale out by running more of these against the same Postgres.

import type { Server } from "node:http";
import { collectDefaultMetrics, Registry } from "prom-client";
import { ConfigError, loadConfig } from "./config.js";
import { processCounters } from "./observability/counters.js";
import { startMetricsServer } from "./observability/metrics-server.js";
import { openStore } from "./open-store.js";
import { processLog } from "./process-log.js";
import { servicesFor, startJobsWorker } from "./startup.js";

const log = processLog;

async function main(): Promise<void> {
  const config = loadConfig();
  const store = await openStore(config, log);
  const services = await servicesFor(config, store.db, log);
  const worker = await startJobsWorker(store.db, config, services, log);
  log.info("worker started");
  // Its own counters (APNs pushes, Google calls) and process figures, when asked for a listener.
  let metrics: Server | undefined;
  if (config.metrics.workerPort !== undefined) {
    const registry = new Registry();
    collectDefaultMetrics({ register: registry });
    metrics = await startMetricsServer(
      Registry.merge([registry, processCounters]),
      config.metrics.workerPort,
      config.metrics.host,
      async () => {
        await store.db.pool.query("SELECT 1");
        return true;
      },
    );
    log.info(`metrics on http://${config.metrics.host}:${config.metrics.workerPort}/metrics`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received; stopping the worker`);
    setTimeout(() => process.exit(1), 20_000).unref();
    metrics?.close();
    await worker.stop();
    await store.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `worker failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
