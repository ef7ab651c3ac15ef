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

/** The Google delivery of a process without an app (`npm run worker`); the server uses its app's. */
export async function googleWalletFor(
  pool: pg.Pool,
  config: Config,
  loaded: { secrets: SecretBox; google: GoogleSetup },
  log: { warn(msg: string): void },
): Promise<GoogleWallet> {
  const issuers = new GoogleIssuers(pool, loaded.secrets, loaded.google.defaultIssuer);
  await issuers.start({ warn: () => undefined }); // the server says what development mode means
  return new GoogleWallet({
    pool,
    issuers,
    client: new GoogleWalletClient({ baseUrl: config.google.apiUrl, tokenUrl: config.google.tokenUrl }),
    publicBaseUrl: config.publicBaseUrl,
    log,
  });
}
