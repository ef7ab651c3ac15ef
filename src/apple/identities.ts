// Which certificate signs a project's passes: the project's own imported identity, else the server-wide default
// (APPLE_PASS_CERT), else the development identity generated on first start (passes signed with it open in
// tools but do not install on a phone). Parsed keys and ready signers are cached.
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import type pg from "pg";
import type { Clock } from "../clock.js";
import { InvalidInput } from "../domain/invalid-input.js";
import type { CredentialSource } from "../secrets/credential-resolver.js";
import type { SecretBox } from "../secrets/encryption.js";
import { type Opened, ProjectCredentials, SecretStore, type StoredRow } from "../secrets/secret-store.js";
import { AccountCertificateStore } from "./account-certificate-store.js";
import { expiresAt, type IdentityInput, identityProblems, type PassIdentity } from "./certificates.js";
import { readUploadedIdentity } from "./identity-worker.js";
import { CmsSigner } from "./signer.js";
import { issueIdentity, passCertificateName, toPem } from "./x509.js";

export interface SigningIdentity {
  /** Changes whenever the identity does (cache key). */
  key: string;
  passTypeIdentifier: string;
  teamIdentifier: string;
  organizationName: string;
  certificate: X509Certificate;
  privateKey: KeyObject;
  signer: CmsSigner;
  development: boolean;
}

export interface IdentitySummary {
  projectId: number | null;
  source: CredentialSource;
  passTypeIdentifier: string;
  teamIdentifier: string;
  organizationName: string;
  expiresAt: string;
  subject: string;
}

interface IdentityRow extends StoredRow {
  pass_type_identifier: string;
  team_identifier: string;
  organization_name: string;
  certificate_pem: string;
  chain_pem: string | null;
  private_key_encrypted: Buffer;
}

const DEV_PASS_TYPE = "pass.dev.wallet-pass-server";
const DEV_TEAM = "DEVTEAM000";

function signingIdentity(key: string, identity: PassIdentity, development: boolean): SigningIdentity {
  return {
    key,
    passTypeIdentifier: identity.passTypeIdentifier,
    teamIdentifier: identity.teamIdentifier,
    organizationName: identity.organizationName,
    certificate: identity.certificate,
    privateKey: identity.privateKey,
    signer: new CmsSigner({
      certificate: identity.certificate.raw,
      privateKey: identity.privateKey,
      chain: identity.chain.map((c) => c.raw),
    }),
    development,
  };
}

export function summaryOf(identity: SigningIdentity, projectId: number | null, source: IdentitySummary["source"]) {
  return {
    projectId,
    source,
    passTypeIdentifier: identity.passTypeIdentifier,
    teamIdentifier: identity.teamIdentifier,
    organizationName: identity.organizationName,
    expiresAt: expiresAt(identity.certificate).toISOString(),
    subject: identity.certificate.subject.replace(/\n/g, ", "),
  } satisfies IdentitySummary;
}

export class AppleIdentities {
  private readonly credentials: ProjectCredentials<IdentityRow, SigningIdentity>;

  constructor(
    pool: pg.Pool,
    box: SecretBox,
    /** Apple's WWDR intermediate: embedded in every pass and the issuer imported certificates must have. */
    private readonly wwdr: X509Certificate,
    private readonly clock: Clock,
    defaultIdentity?: PassIdentity,
  ) {
    const store = new SecretStore<IdentityRow>(pool, box, {
      table: "apple_identities",
      secretColumn: "private_key_encrypted",
    });
    this.accountCertificates = new AccountCertificateStore(pool);
    this.credentials = new ProjectCredentials<IdentityRow, SigningIdentity>(
      store,
      (opened) => this.fromRow(opened),
      defaultIdentity ? signingIdentity("default", { ...defaultIdentity, chain: [wwdr] }, false) : undefined,
      "Apple identities",
      async (projectId) => store.opened(await this.accountCertificates.defaultOfProject<IdentityRow>(projectId)),
    );
  }

  /** The account certificates' SQL (/v1/certificates); their default signs projects without their own. */
  readonly accountCertificates: AccountCertificateStore;

  /** Reads an uploaded identity and checks it (key, validity, WWDR chain, pass type); throws InvalidInput if not. */
  async readChecked(input: IdentityInput): Promise<PassIdentity> {
    const identity = await readUploadedIdentity(input);
    const problems = identityProblems(identity, this.wwdr, new Date(this.clock.now()));
    if (problems.length) {
      const expired = new Date(identity.certificate.validTo).getTime() <= this.clock.now();
      throw new InvalidInput(problems, expired ? "CERTIFICATE_EXPIRED" : "INVALID_CERTIFICATE");
    }
    return identity;
  }

  /** A private key sealed as stored keys are. */
  sealKey(identity: PassIdentity): Buffer {
    return this.credentials.store.box.seal(Buffer.from(identity.privateKey.export({ type: "pkcs8", format: "pem" })));
  }

  /** An account certificate changed: every project's signer is looked up again. */
  accountChanged(): void {
    this.credentials.forgetAll();
  }

  /**
   * With no server-wide default, loads (or generates once) the development identity. Warns about certificates
   * that expire within 30 days.
   */
  async start(log: { warn(msg: string): void }): Promise<void> {
    for (const warning of await this.expiringWithin(30)) log.warn(`Apple certificate expiring soon: ${warning}`);
    const development = await this.credentials.startDevelopment(() => {
      const ca = issueIdentity(
        [
          ["CN", "Wallet Pass Server Development CA"],
          ["O", "Wallet Pass Server"],
        ],
        { isCa: true, days: 3650, clock: this.clock },
      );
      const pass = issueIdentity(passCertificateName(DEV_PASS_TYPE, DEV_TEAM, "Wallet Pass Server (development)"), {
        issuer: ca,
        isCa: false,
        days: 3650,
        clock: this.clock,
      });
      return {
        columns: {
          pass_type_identifier: DEV_PASS_TYPE,
          team_identifier: DEV_TEAM,
          organization_name: "Wallet Pass Server (development)",
          certificate_pem: toPem(pass.certificate),
          chain_pem: toPem(ca.certificate),
          not_after: new Date(this.clock.now() + 3650 * 86_400_000),
        },
        secret: Buffer.from(pass.privateKey.export({ type: "pkcs8", format: "pem" })),
      };
    });
    if (!development) return;
    log.warn(
      "Apple: no APPLE_PASS_CERT configured. Projects without their own certificate get passes signed by a " +
        "generated development certificate: they open in tools and tests but will not install on a phone. " +
        "Import a Pass Type ID certificate (npm run cli -- cert import) to issue real passes.",
    );
  }

  private fromRow({ row, secret, version }: Opened<IdentityRow>): SigningIdentity {
    const identity: PassIdentity = {
      certificate: new X509Certificate(row.certificate_pem),
      privateKey: createPrivateKey(secret.toString("utf8")),
      chain: row.chain_pem ? [new X509Certificate(row.chain_pem)] : [this.wwdr],
      passTypeIdentifier: row.pass_type_identifier,
      teamIdentifier: row.team_identifier,
      organizationName: row.organization_name,
    };
    return signingIdentity(version, identity, row.kind === "development");
  }

  /** The identity signing this project's passes (cached briefly, so an import elsewhere is seen within 30 s). */
  async forProject(projectId: number): Promise<SigningIdentity> {
    return (await this.credentials.resolve(projectId)).value;
  }

  async summary(projectId: number): Promise<IdentitySummary> {
    const { value, source } = await this.credentials.resolve(projectId);
    return summaryOf(value, source === "project" ? projectId : null, source);
  }

  /** Validates and stores a project's identity (replacing any). Throws InvalidInput naming each problem. */
  async import(projectId: number, input: IdentityInput): Promise<IdentitySummary> {
    const identity = await this.readChecked(input);
    await this.credentials.put(
      projectId,
      {
        pass_type_identifier: identity.passTypeIdentifier,
        team_identifier: identity.teamIdentifier,
        organization_name: identity.organizationName,
        certificate_pem: identity.certificate.toString(),
        chain_pem: null,
        not_after: expiresAt(identity.certificate),
      },
      Buffer.from(identity.privateKey.export({ type: "pkcs8", format: "pem" })),
      // A new certificate gets a new public id.
      ["certificate_id = gen_random_uuid()"],
    );
    return this.summary(projectId);
  }

  /** Removes a project's own identity; its passes fall back to the default. */
  remove(projectId: number): Promise<boolean> {
    return this.credentials.remove(projectId);
  }

  /** Identities that expire within `days` (the default one included), for a warning at start. */
  async expiringWithin(days: number): Promise<string[]> {
    const limit = this.clock.now() + days * 86_400_000;
    const out: string[] = [];
    const fallback = this.credentials.fallback;
    if (fallback && expiresAt(fallback.certificate).getTime() < limit) {
      out.push(
        `APPLE_PASS_CERT (${fallback.passTypeIdentifier}) expires ${expiresAt(fallback.certificate).toISOString()}`,
      );
    }
    const rows = await this.credentials.store.projectRows<{
      project_id: number;
      pass_type_identifier: string;
      not_after: Date;
    }>(["project_id", "pass_type_identifier", "not_after"], "not_after < $1", [new Date(limit)]);
    for (const row of rows) {
      out.push(
        `project ${row.project_id} (${row.pass_type_identifier}) certificate expires ${row.not_after.toISOString()}`,
      );
    }
    for (const row of await this.accountCertificates.expiringBefore(new Date(limit))) {
      out.push(
        `account ${row.account_id} certificate ${row.certificate_id} (${row.pass_type_identifier}) expires ` +
          row.not_after.toISOString(),
      );
    }
    return out;
  }
}
