// Google Wallet issuers: a project's own (issuer id + service-account key, imported, stored encrypted), else the
// server-wide default (GOOGLE_SERVICE_ACCOUNT + GOOGLE_ISSUER_ID), else a generated development signing key:
// save links are then structurally valid but unusable, and nothing is sent to Google.
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import type pg from "pg";
import { GOOGLE_TOKEN_URL } from "../config.js";
import { InvalidInput } from "../domain/invalid-input.js";
import type { CredentialSource } from "../secrets/credential-resolver.js";
import type { SecretBox } from "../secrets/encryption.js";
import { ProjectCredentials, SecretStore, type StoredRow } from "../secrets/secret-store.js";
import type { KeylessIdentity } from "./keyless.js";

export interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  token_uri?: string;
  type?: string;
}

export interface GoogleIssuer {
  /** Changes whenever the credential does (cache key). */
  key: string;
  issuerId: string;
  clientEmail: string;
  /** The service account's key; absent for a keyless issuer. */
  privateKey: KeyObject | undefined;
  privateKeyId: string | undefined;
  /** Without a key: tokens and signatures through the IAM Credentials API (keyless.ts). */
  keyless?: KeylessIdentity;
  /** The development key: sign save links, never call Google. */
  development: boolean;
}

/** The server-wide issuer: a service-account key file, or (keyless) the account Application Default Credentials act as. */
export type DefaultIssuer =
  | { issuerId: string; serviceAccount: ServiceAccount }
  | { issuerId: string; keyless: KeylessIdentity };

export interface IssuerSummary {
  projectId: number | null;
  source: CredentialSource;
  issuerId: string;
  clientEmail: string;
}

/** token_uri values Google's key files carry; a key naming anything else is refused. */
const GOOGLE_TOKEN_URIS = new Set([GOOGLE_TOKEN_URL, "https://accounts.google.com/o/oauth2/token"]);
const DEV_ISSUER_ID = "1000000000000000000";

/** Parses and checks a service-account key file's JSON; throws InvalidInput naming what is wrong. */
export function parseServiceAccount(json: string | object): ServiceAccount {
  let value: unknown = json;
  if (typeof json === "string") {
    try {
      value = JSON.parse(json);
    } catch {
      throw new InvalidInput(["the service account key is not JSON"]);
    }
  }
  const account = value as Partial<ServiceAccount>;
  const problems: string[] = [];
  if (typeof account?.client_email !== "string" || !account.client_email.includes("@")) {
    problems.push("the service account key has no client_email");
  }
  if (typeof account?.private_key !== "string") problems.push("the service account key has no private_key");
  else {
    try {
      createPrivateKey(account.private_key);
    } catch {
      problems.push("the service account's private_key is not a readable PEM key");
    }
  }
  // The server never posts a signed assertion to a URL a tenant chose.
  if (account?.token_uri !== undefined && !GOOGLE_TOKEN_URIS.has(String(account.token_uri))) {
    problems.push(`the service account's token_uri must be Google's token endpoint (${GOOGLE_TOKEN_URL})`);
  }
  if (problems.length) throw new InvalidInput(problems, "INVALID_CREDENTIALS");
  return account as ServiceAccount;
}

export function checkIssuerId(issuerId: unknown): string {
  if (typeof issuerId !== "string" || !/^[0-9]{1,30}$/.test(issuerId)) {
    throw new InvalidInput(["issuerId must be the numeric Google Wallet issuer id"], "INVALID_CREDENTIALS");
  }
  return issuerId;
}

function issuerOf(key: string, issuerId: string, account: ServiceAccount, development: boolean): GoogleIssuer {
  return {
    key,
    issuerId,
    clientEmail: account.client_email,
    privateKey: createPrivateKey(account.private_key),
    privateKeyId: account.private_key_id,
    development,
  };
}

function defaultIssuerOf(issuer: DefaultIssuer): GoogleIssuer {
  if ("serviceAccount" in issuer) return issuerOf("default", issuer.issuerId, issuer.serviceAccount, false);
  return {
    key: "default-keyless",
    issuerId: issuer.issuerId,
    clientEmail: issuer.keyless.serviceAccountEmail,
    privateKey: undefined,
    privateKeyId: undefined,
    keyless: issuer.keyless,
    development: false,
  };
}

interface CredentialRow extends StoredRow {
  issuer_id: string;
  service_account_encrypted: Buffer;
}

export class GoogleIssuers {
  private readonly credentials: ProjectCredentials<CredentialRow, GoogleIssuer>;

  constructor(pool: pg.Pool, box: SecretBox, defaultIssuer?: DefaultIssuer) {
    this.credentials = new ProjectCredentials<CredentialRow, GoogleIssuer>(
      new SecretStore<CredentialRow>(pool, box, {
        table: "google_credentials",
        secretColumn: "service_account_encrypted",
      }),
      ({ row, secret, version }) =>
        issuerOf(
          version,
          row.issuer_id,
          JSON.parse(secret.toString("utf8")) as ServiceAccount,
          row.kind === "development",
        ),
      defaultIssuer ? defaultIssuerOf(defaultIssuer) : undefined,
      "Google issuers",
    );
  }

  /** Without a server-wide default, loads (or generates once) the development signing key. */
  async start(log: { warn(msg: string): void }): Promise<void> {
    const development = await this.credentials.startDevelopment(() => {
      const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
      const account: ServiceAccount = {
        type: "service_account",
        client_email: "development@wallet-pass-server.invalid",
        private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      };
      return {
        columns: { issuer_id: DEV_ISSUER_ID, client_email: account.client_email },
        secret: Buffer.from(JSON.stringify(account)),
      };
    });
    if (!development) return;
    log.warn(
      "Google: no GOOGLE_SERVICE_ACCOUNT/GOOGLE_ISSUER_ID configured. Projects without their own issuer get save " +
        "links signed by a generated development key (structurally valid, refused by Google), and nothing is " +
        "synced to the Google Wallet API.",
    );
  }

  /** The server-wide issuer (GOOGLE_SERVICE_ACCOUNT / GOOGLE_ISSUER_ID), if configured. */
  get defaultIssuer(): GoogleIssuer | undefined {
    return this.credentials.fallback;
  }

  async forProject(projectId: number): Promise<GoogleIssuer> {
    return (await this.credentials.resolve(projectId)).value;
  }

  async summary(projectId: number): Promise<IssuerSummary> {
    const { value: issuer, source } = await this.credentials.resolve(projectId);
    return {
      projectId: source === "project" ? projectId : null,
      source,
      issuerId: issuer.issuerId,
      clientEmail: issuer.clientEmail,
    };
  }

  async import(projectId: number, issuerId: unknown, serviceAccount: string | object): Promise<IssuerSummary> {
    const id = checkIssuerId(issuerId);
    const account = parseServiceAccount(serviceAccount);
    await this.credentials.put(
      projectId,
      { issuer_id: id, client_email: account.client_email },
      Buffer.from(JSON.stringify(account)),
    );
    return this.summary(projectId);
  }

  remove(projectId: number): Promise<boolean> {
    return this.credentials.remove(projectId);
  }
}
