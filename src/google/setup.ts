// Reads the server-wide Google issuer at start (GOOGLE_SERVICE_ACCOUNT + GOOGLE_ISSUER_ID, or keyless:
// GOOGLE_SERVICE_ACCOUNT_EMAIL + GOOGLE_ISSUER_ID); a bad key file stops the server with the reason.
import { readFileSync } from "node:fs";
import type { GoogleConfig } from "../config.js";
import { ConfigError } from "../config.js";
import { InvalidInput } from "../domain/invalid-input.js";
import { type DefaultIssuer, parseServiceAccount } from "./credentials.js";
import { IamKeylessIdentity } from "./keyless.js";

export interface GoogleSetup {
  defaultIssuer?: DefaultIssuer;
}

export function loadGoogleSetup(config: GoogleConfig): GoogleSetup {
  if (config.issuerId && config.serviceAccountEmail) {
    return {
      defaultIssuer: {
        issuerId: config.issuerId,
        keyless: new IamKeylessIdentity(config.serviceAccountEmail, config.iamCredentialsUrl),
      },
    };
  }
  if (!config.serviceAccountFile || !config.issuerId) return {};
  try {
    const serviceAccount = parseServiceAccount(readFileSync(config.serviceAccountFile, "utf8"));
    return { defaultIssuer: { issuerId: config.issuerId, serviceAccount } };
  } catch (error) {
    if (error instanceof InvalidInput) throw new ConfigError(error.problems.map((p) => `GOOGLE_SERVICE_ACCOUNT: ${p}`));
    throw error;
  }
}
