// The APNs subscriber that the job worker runs (in the server or in `npm run worker`).
import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import type pg from "pg";
import type { Config } from "../config.js";
import type { SecretBox } from "../secrets/encryption.js";
import { ApnsClient } from "./apns.js";
import { AppleIdentities } from "./identities.js";
import { applePushSubscriber } from "./push-subscriber.js";
import { Registrations } from "./registrations.js";
import type { AppleSetup } from "./setup.js";

interface Log {
  warn(msg: string): void;
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

/** Signing identities for a process without an app (`npm run worker`); the server warns at its own start. */
export async function appleIdentitiesFor(pool: pg.Pool, loaded: { secrets: SecretBox; apple: AppleSetup }) {
  const identities = new AppleIdentities(pool, loaded.secrets, loaded.apple.wwdr, loaded.apple.defaultIdentity);
  await identities.start({ warn: () => undefined });
  return identities;
}

/** The APNs pushes that follow pass changes, for a job worker. */
export function applePushFor(pool: pg.Pool, config: Config, identities: AppleIdentities, log: Log) {
  const apns = apnsClientOf(config.apns);
  return {
    subscriber: applePushSubscriber({ registrations: new Registrations(pool), identities, apns, log }),
    close: () => apns.close(),
  };
}
