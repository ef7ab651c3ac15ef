// Wiring of the Apple side for the processes: secrets and certificates from the configuration, and the APNs
// subscriber that the job worker runs (in the server or in `npm run worker`).
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import type pg from "pg";
import type { Config } from "../config.js";
import { SecretBox } from "../secrets/encryption.js";
import { ApnsClient } from "./apns.js";
import { AppleIdentities } from "./identities.js";
import { applePushSubscriber } from "./push-subscriber.js";
import { type AppleSetup, loadAppleSetup } from "./setup.js";
import { Registrations } from "./web-service/registrations.js";

interface Log {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Reads the encryption key and the Apple certificates named by the configuration (fails fast on bad files). */
export function loadSecrets(config: Config, log: Log): { secrets: SecretBox; apple: AppleSetup } {
  const { box, generated, path } = SecretBox.load(config.walletEncryptionKey, config.dataDir);
  if (generated) {
    log.warn(
      `WALLET_ENCRYPTION_KEY is not set: secrets at rest use the generated key in ${path}. Keep that file (or set ` +
        "WALLET_ENCRYPTION_KEY): without it, stored certificates' private keys cannot be read.",
    );
  }
  return { secrets: box, apple: loadAppleSetup(config.apple) };
}

export function apnsClientOf(config: Config["apns"]): ApnsClient {
  return new ApnsClient({
    host: config.host,
    ...(config.caFile ? { ca: readFileSync(config.caFile, "utf8") } : {}),
    ...(config.keyFile && config.keyId && config.teamId
      ? { token: { key: createPrivateKey(readFileSync(config.keyFile)), keyId: config.keyId, teamId: config.teamId } }
      : {}),
  });
}

/** The APNs pushes that follow pass changes, for a job worker. */
export async function applePushFor(
  pool: pg.Pool,
  config: Config,
  loaded: { secrets: SecretBox; apple: AppleSetup },
  log: Log & { error(msg: string): void },
) {
  const identities = new AppleIdentities(pool, loaded.secrets, loaded.apple.wwdr, loaded.apple.defaultIdentity);
  await identities.start({ warn: () => undefined }); // the server already warned about certificates
  const apns = apnsClientOf(config.apns);
  return {
    subscriber: applePushSubscriber({ registrations: new Registrations(pool), identities, apns, log }),
    close: () => apns.close(),
  };
}
