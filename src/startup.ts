// What a process needs to start: the secrets and credentials the configuration names (read once, failing fast),
// the composed services over them, and the job worker that delivers pass changes (APNs pushes, Google sync), in
// the server or in `npm run worker`.
import { type AppleSetup, loadAppleSetup } from "./apple/setup.js";
import { apnsOptionsOf, composeServices, type Log, type Services } from "./composition.js";
import type { Config } from "./config.js";
import type { DatabaseHandle } from "./db/client.js";
import { type GoogleSetup, loadGoogleSetup } from "./google/setup.js";
import type { Worker } from "./jobs/queue.js";
import { startJobWorker } from "./jobs/worker.js";
import { SecretBox } from "./secrets/encryption.js";

export interface LoadedSecrets {
  secrets: SecretBox;
  apple: AppleSetup;
  google: GoogleSetup;
}

/** Reads the encryption key and the Apple and Google credentials the configuration names (fails fast). */
export function loadSecrets(config: Config, log: Log): LoadedSecrets {
  const loaded = SecretBox.load(config.walletEncryptionKey, config.dataDir);
  const { generated, path } = loaded;
  const box = config.previousEncryptionKey ? loaded.box.withPrevious(config.previousEncryptionKey) : loaded.box;
  if (generated) {
    log.warn(
      `WALLET_ENCRYPTION_KEY is not set: secrets at rest use the generated key in ${path}. Keep that file (or set ` +
        "WALLET_ENCRYPTION_KEY): without it, stored certificates' and service accounts' keys cannot be read.",
    );
  }
  return { secrets: box, apple: loadAppleSetup(config.apple), google: loadGoogleSetup(config.google) };
}

/** The services of a process, from its configuration (the one composition every process uses). */
export function servicesFor(config: Config, db: DatabaseHandle, log: Log): Promise<Services> {
  const loaded = loadSecrets(config, log);
  return composeServices(
    { ...config, imageFetchTimeoutMs: config.apple.imageFetchTimeoutMs },
    { db, ...loaded, apns: apnsOptionsOf(config.apns), log },
  );
}

/** The job worker of a server or worker process, running the services' delivery; stop() closes both. */
export async function startJobsWorker(
  db: DatabaseHandle,
  config: Pick<
    Config,
    "workerConcurrency" | "jobStaleAfterMs" | "workerLeaseMs" | "bulkUpdateBatchSize" | "passEventRetentionDays"
  >,
  services: Services,
  log: Log,
): Promise<Worker> {
  const worker = await startJobWorker(db.pool, {
    subscribers: services.jobs.subscribers,
    templateSubscribers: services.jobs.templateSubscribers,
    concurrency: config.workerConcurrency,
    staleAfterMs: config.jobStaleAfterMs,
    liveness: { leaseMs: config.workerLeaseMs, heartbeatMs: Math.max(500, Math.floor(config.workerLeaseMs / 5)) },
    batchSize: config.bulkUpdateBatchSize,
    passEventRetentionDays: config.passEventRetentionDays,
    rounds: services.jobs.rounds(),
    log,
  });
  return {
    async stop() {
      await worker.stop();
      services.jobs.close();
    },
  };
}
