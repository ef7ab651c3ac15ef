// `npm run cli -- doctor`: checks what a working installation needs and prints a checklist, each failure with what
// to do. Checks: configuration, the database, the encryption key, Apple certificates (configured, not expiring),
// APNs reachability (TLS handshake), Google credentials (a token fetch), and whether PUBLIC_BASE_URL answers.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { connect } from "node:tls";
import type { Services } from "./composition.js";
import type { Config } from "./config.js";

export interface Check {
  name: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do about a failure (or a warning on a passing check). */
  fix?: string;
  /** A passing check with a caveat. */
  warning?: boolean;
}

const TIMEOUT_MS = 8_000;

export async function runDoctor(config: Config, services: Services): Promise<Check[]> {
  const checks: Check[] = [{ name: "configuration", ok: true, detail: "every variable is valid" }];
  checks.push({ name: "database", ok: true, detail: "reachable, migrations applied" });

  const generated = join(config.dataDir, "wallet-encryption.key");
  checks.push(
    config.walletEncryptionKey
      ? { name: "encryption key", ok: true, detail: "WALLET_ENCRYPTION_KEY is set" }
      : {
          name: "encryption key",
          ok: true,
          warning: true,
          detail: existsSync(generated) ? `generated key in ${generated}` : "none yet (one is generated at start)",
          fix: "set WALLET_ENCRYPTION_KEY (openssl rand -base64 32) and keep it with your backups: without it stored secrets cannot be read",
        },
  );

  const expiring = await services.apple.identities.expiringWithin(30);
  checks.push(
    config.apple.passCertFile
      ? {
          name: "Apple pass certificate",
          ok: expiring.length === 0,
          detail: expiring.length ? expiring.join("; ") : `${config.apple.passCertFile}, valid for 30 days or more`,
          ...(expiring.length
            ? { fix: "renew the certificate in Apple's developer portal and import it (cli cert import)" }
            : {}),
        }
      : {
          name: "Apple pass certificate",
          ok: expiring.length === 0,
          warning: true,
          detail: "APPLE_PASS_CERT is not set: projects without their own certificate get development-signed passes",
          fix: "import a Pass Type ID certificate: npm run cli -- cert import --project ID --cert FILE, or set APPLE_PASS_CERT",
        },
  );

  checks.push(await apnsCheck(config));
  checks.push(await googleCheck(services));
  checks.push(await publicUrlCheck(config));
  return checks;
}

async function apnsCheck(config: Config): Promise<Check> {
  const [host, port] = config.apns.host.split(":") as [string, string | undefined];
  return new Promise<Check>((resolve) => {
    const socket = connect({
      host,
      port: Number(port ?? 443),
      servername: host,
      ALPNProtocols: ["h2"],
      timeout: TIMEOUT_MS,
    });
    const done = (check: Check) => {
      socket.destroy();
      resolve(check);
    };
    socket.once("secureConnect", () =>
      done({ name: "APNs", ok: true, detail: `TLS handshake with ${config.apns.host}` }),
    );
    socket.once("timeout", () =>
      done({
        name: "APNs",
        ok: false,
        detail: `${config.apns.host} did not answer`,
        fix: "allow outbound HTTPS (443) to api.push.apple.com",
      }),
    );
    socket.once("error", (error) =>
      done({
        name: "APNs",
        ok: false,
        detail: `${config.apns.host}: ${error.message}`,
        fix: "allow outbound HTTPS (443) to api.push.apple.com (and check APNS_HOST, APNS_CA_FILE)",
      }),
    );
  });
}

async function googleCheck(services: Services): Promise<Check> {
  const issuer = services.google.issuers.defaultIssuer;
  if (!issuer) {
    return {
      name: "Google credentials",
      ok: true,
      warning: true,
      detail: "GOOGLE_SERVICE_ACCOUNT / GOOGLE_ISSUER_ID not set: save links are development-signed, nothing syncs",
      fix:
        "create a service account for your Google Wallet issuer and set GOOGLE_ISSUER_ID with GOOGLE_SERVICE_ACCOUNT " +
        "(its key file) or GOOGLE_SERVICE_ACCOUNT_EMAIL (keyless, on Google Cloud)",
    };
  }
  try {
    await services.google.client.checkCredentials(issuer);
    return {
      name: "Google credentials",
      ok: true,
      detail: `an access token was issued for ${issuer.clientEmail}${issuer.keyless ? " (keyless, through IAM)" : ""}`,
    };
  } catch (error) {
    return {
      name: "Google credentials",
      ok: false,
      detail: (error as Error).message,
      fix: issuer.keyless
        ? "give this workload's identity the Service Account Token Creator role on GOOGLE_SERVICE_ACCOUNT_EMAIL, " +
          "and allow outbound HTTPS to iamcredentials.googleapis.com"
        : "check the service-account key (not revoked, right project) and outbound HTTPS to oauth2.googleapis.com",
    };
  }
}

async function publicUrlCheck(config: Config): Promise<Check> {
  const url = `${config.publicBaseUrl}/health`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "manual" });
    return response.ok
      ? { name: "PUBLIC_BASE_URL", ok: true, detail: `${url} answers 200` }
      : {
          name: "PUBLIC_BASE_URL",
          ok: false,
          detail: `${url} answers ${response.status}`,
          fix: "PUBLIC_BASE_URL must be where phones reach this server (Wallet fetches updates there)",
        };
  } catch (error) {
    return {
      name: "PUBLIC_BASE_URL",
      ok: false,
      detail: `${url}: ${(error as Error).message}`,
      fix: "start the server, and set PUBLIC_BASE_URL to the https address phones reach it at",
    };
  }
}

/** The checklist as text: one line per check, a "→ fix" line under each failure or warning. */
export function formatChecks(checks: Check[]): string {
  return checks
    .map((c) => {
      const mark = !c.ok ? "✗" : c.warning ? "!" : "✓";
      return `${mark} ${c.name}: ${c.detail}${c.fix && (!c.ok || c.warning) ? `\n    → ${c.fix}` : ""}`;
    })
    .join("\n");
}
