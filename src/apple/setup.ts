// Reads the Apple settings' files at start: the WWDR intermediate and the optional server-wide pass certificate,
// checked like an import (key matches, not expired, chains to WWDR). A bad file stops the server with a reason.
import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { type Clock, systemClock } from "../clock.js";
import type { AppleConfig } from "../config.js";
import { ConfigError } from "../config.js";
import { InvalidInput } from "../domain/invalid-input.js";
import { identityProblems, type PassIdentity, readIdentity } from "./certificates.js";

export interface AppleSetup {
  wwdr: X509Certificate;
  defaultIdentity?: PassIdentity;
}

export function loadAppleSetup(config: AppleConfig, clock: Clock = systemClock): AppleSetup {
  let wwdr: X509Certificate;
  try {
    wwdr = new X509Certificate(readFileSync(config.wwdrCertFile));
  } catch {
    throw new ConfigError([`APPLE_WWDR_CERT: ${config.wwdrCertFile} is not a readable certificate`]);
  }
  if (!config.passCertFile) return { wwdr };
  try {
    const identity = readIdentity({
      certificate: readFileSync(config.passCertFile),
      ...(config.passKeyFile ? { privateKey: readFileSync(config.passKeyFile) } : {}),
      ...(config.passCertPassword === undefined ? {} : { password: config.passCertPassword }),
    });
    // Checked once at start-up, against the time the process starts.
    const problems = identityProblems(identity, wwdr, new Date(clock.now()));
    if (problems.length) throw new InvalidInput(problems);
    return { wwdr, defaultIdentity: identity };
  } catch (error) {
    if (error instanceof InvalidInput) throw new ConfigError(error.problems.map((p) => `APPLE_PASS_CERT: ${p}`));
    throw error;
  }
}
