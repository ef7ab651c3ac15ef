// What the processes need to deliver passes: secrets and credentials read from the configuration at start, and
// the subscribers the job worker runs (APNs pushes, Google Wallet sync), in the server or in `npm run worker`.
import type pg from "pg";
import { applePushFor } from "./apple/runtime.js";
import { type AppleSetup, loadAppleSetup } from "./apple/setup.js";
import type { Config } from "./config.js";
import { googleSyncFor } from "./google/runtime.js";
import { type GoogleSetup, loadGoogleSetup } from "./google/setup.js";
import type { Worker } from "./jobs/queue.js";
import { type PassChangedSubscriber, startJobWorker, type TemplateChangedSubscriber } from "./jobs/worker.js";
import { SecretBox } from "./secrets/encryption.js";

interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export interface LoadedSecrets {
  secrets: SecretBox;
  apple: AppleSetup;
  google: GoogleSetup;
}

/** Reads the encryption key and the Apple and Google credentials the configuration names (fails fast). */
export function loadSecrets(config: Config, log: Log): LoadedSecrets {
  const { box, generated, path } = SecretBox.load(config.walletEncryptionKey, config.dataDir);
  if (generated) {
    log.warn(
      `WALLET_ENCRYPTION_KEY is not set: secrets at rest use the generated key in ${path}. Keep that file (or set ` +
        "WALLET_ENCRYPTION_KEY): without it, stored certificates' and service accounts' keys cannot be read.",
    );
  }
  return { secrets: box, apple: loadAppleSetup(config.apple), google: loadGoogleSetup(config.google) };
}

interface Delivery {
  subscribers: PassChangedSubscriber[];
  templateSubscribers: TemplateChangedSubscriber[];
  close(): void;
}

async function deliveryFor(pool: pg.Pool, config: Config, loaded: LoadedSecrets, log: Log): Promise<Delivery> {
  const apple = await applePushFor(pool, config, loaded, log);
  const google = await googleSyncFor(pool, config, loaded, log);
  return {
    subscribers: [apple.subscriber, google.subscriber],
    templateSubscribers: [google.templateSubscriber],
    close: () => apple.close(),
  };
}

/** The job worker of a server or worker process, with the Apple and Google subscribers; stop() closes both. */
export async function startDeliveryWorker(
  pool: pg.Pool,
  config: Config,
  loaded: LoadedSecrets,
  log: Log,
): Promise<Worker> {
  const delivery = await deliveryFor(pool, config, loaded, log);
  const worker = await startJobWorker(pool, {
    subscribers: delivery.subscribers,
    templateSubscribers: delivery.templateSubscribers,
    concurrency: config.workerConcurrency,
    staleAfterMs: config.jobStaleAfterMs,
    batchSize: config.bulkUpdateBatchSize,
    log,
  });
  return {
    async stop() {
      await worker.stop();
      delivery.close();
    },
  };
}
