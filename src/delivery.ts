// What the processes need to deliver passes: secrets and credentials read from the configuration at start, and
// the subscribers the job worker runs (APNs pushes, Google Wallet sync), in the server or in `npm run worker`.
import type pg from "pg";
import type { AppleIdentities } from "./apple/identities.js";
import { appleIdentitiesFor, applePushFor } from "./apple/runtime.js";
import { type AppleSetup, loadAppleSetup } from "./apple/setup.js";
import type { Config } from "./config.js";
import type { GoogleWallet } from "./google/google-wallet.js";
import { googleSubscribers, googleWalletFor } from "./google/runtime.js";
import { type GoogleSetup, loadGoogleSetup } from "./google/setup.js";
import type { Worker } from "./jobs/queue.js";
import { startJobWorker } from "./jobs/worker.js";
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

/**
 * The job worker of a server or worker process, with the Apple and Google subscribers; stop() closes both. A server
 * hands in its app's identities and Google delivery so the process holds one of each.
 */
export async function startDeliveryWorker(
  pool: pg.Pool,
  config: Config,
  loaded: LoadedSecrets,
  log: Log,
  shared: { identities?: AppleIdentities; google?: GoogleWallet } = {},
): Promise<Worker> {
  const identities = shared.identities ?? (await appleIdentitiesFor(pool, loaded));
  const google = googleSubscribers(shared.google ?? (await googleWalletFor(pool, config, loaded, log)));
  const apple = applePushFor(pool, config, identities, log);
  const worker = await startJobWorker(pool, {
    subscribers: [apple.subscriber, google.subscriber],
    templateSubscribers: [google.templateSubscriber],
    concurrency: config.workerConcurrency,
    staleAfterMs: config.jobStaleAfterMs,
    batchSize: config.bulkUpdateBatchSize,
    passEventRetentionDays: config.passEventRetentionDays,
    log,
  });
  return {
    async stop() {
      await worker.stop();
      apple.close();
    },
  };
}
