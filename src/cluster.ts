// WEB_CONCURRENCY > 1: one box, every core. The primary prepares what must happen once (the embedded Postgres,
// migrations, the queue schema, the generated encryption key) and forks that many server processes, which share
// the port (node's cluster hands connections round-robin) and the database. A process that dies is replaced; a
// SIGTERM or SIGINT stops them all, then the embedded Postgres.
import cluster, { type Worker } from "node:cluster";
import type { Log } from "./composition.js";
import type { Config } from "./config.js";
import { openStore } from "./open-store.js";
import { SecretBox } from "./secrets/encryption.js";

/** Forked processes wait this long for their own shutdown before the primary ends them. */
const STOP_LIMIT_MS = 8_500;

export async function runPrimary(config: Config, log: Log): Promise<void> {
  const store = await openStore(config, log);
  // Made here, once: processes starting together must not each generate a different key.
  SecretBox.load(config.walletEncryptionKey, config.dataDir);
  let stopping = false;
  const forkOne = (index: number): Worker => {
    const worker = cluster.fork({
      DATABASE_URL: store.connectionString,
      WEB_CONCURRENCY: "1",
      // Each process serves its own metrics, on consecutive ports.
      ...(config.metrics.port === undefined ? {} : { METRICS_PORT: String(config.metrics.port + index) }),
    });
    worker.on("exit", (code, signal) => {
      if (stopping) return;
      log.warn(`server process ${index + 1} exited (${signal ?? code}); starting another`);
      setTimeout(() => forkOne(index), 1000).unref();
    });
    return worker;
  };
  for (let i = 0; i < config.webConcurrency; i++) forkOne(i);
  log.info(`started ${config.webConcurrency} server processes on port ${config.port}`);

  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received; stopping ${config.webConcurrency} server processes`);
    const running = Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
    await Promise.all(
      running.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.isDead()) return resolve();
            const force = setTimeout(() => worker.process.kill("SIGKILL"), STOP_LIMIT_MS);
            worker.once("exit", () => {
              clearTimeout(force);
              resolve();
            });
            worker.process.kill("SIGTERM");
          }),
      ),
    );
    await store.close().catch((error: unknown) => log.error(`shutdown failed: ${(error as Error).message}`));
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}
