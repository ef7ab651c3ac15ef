// The Google Wallet sync that the job worker runs: objects follow pass changes, classes follow template changes.
import type pg from "pg";
import type { Config } from "../config.js";
import type { PassChangedSubscriber, TemplateChangedSubscriber } from "../jobs/worker.js";
import type { SecretBox } from "../secrets/encryption.js";
import { GoogleWalletClient } from "./api-client.js";
import { GoogleIssuers } from "./credentials.js";
import { GoogleWallet } from "./google-wallet.js";
import type { GoogleSetup } from "./setup.js";

export function googleSubscribers(wallet: GoogleWallet): {
  subscriber: PassChangedSubscriber;
  templateSubscriber: TemplateChangedSubscriber;
} {
  return {
    subscriber: (changes) => wallet.syncPasses(changes.map((c) => c.passId)),
    templateSubscriber: (templateId) => wallet.syncTemplate(templateId),
  };
}

export async function googleSyncFor(
  pool: pg.Pool,
  config: Config,
  loaded: { secrets: SecretBox; google: GoogleSetup },
  log: { warn(msg: string): void },
) {
  const issuers = new GoogleIssuers(pool, loaded.secrets, loaded.google.defaultIssuer);
  await issuers.start({ warn: () => undefined }); // the server already said what development mode means
  const wallet = new GoogleWallet({
    pool,
    issuers,
    client: new GoogleWalletClient({ baseUrl: config.google.apiUrl }),
    publicBaseUrl: config.publicBaseUrl,
    log,
  });
  return googleSubscribers(wallet);
}
