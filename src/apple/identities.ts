// Which certificate signs a project's passes: the project's own imported identity, else the server-wide default
// (APPLE_PASS_CERT), else the development identity generated on first start (passes signed with it open in
// tools but do not install on a phone). Parsed keys and ready signers are cached.
import { createPrivateKey, type KeyObject, X509Certificate } from "node:crypto";
import type pg from "pg";
import { InvalidInput } from "../domain/invalid-input.js";
import { CredentialResolver, type CredentialSource } from "../secrets/credential-resolver.js";
import type { SecretBox } from "../secrets/encryption.js";
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

interface IdentityRow {
  id: number;
  project_id: number | null;
  kind: string;
  pass_type_identifier: string;
  team_identifier: string;
  organization_name: string;
  certificate_pem: string;
  chain_pem: string | null;
  private_key_encrypted: Buffer;
  updated_at: Date;
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
  private readonly built = new Map<string, SigningIdentity>();
  private readonly fallback: SigningIdentity | undefined;
  private development: SigningIdentity | undefined;
  private readonly resolver = new CredentialResolver<SigningIdentity>(
    "Apple identities",
    (projectId) => this.ownIdentity(projectId),
    () => ({ default: this.fallback, development: this.development }),
  );

  constructor(
    private readonly pool: pg.Pool,
    private readonly box: SecretBox,
    /** Apple's WWDR intermediate: embedded in every pass and the issuer imported certificates must have. */
    private readonly wwdr: X509Certificate,
    defaultIdentity?: PassIdentity,
  ) {
    if (defaultIdentity) {
      this.fallback = signingIdentity("default", { ...defaultIdentity, chain: [wwdr] }, false);
    }
  }

  /**
   * With no server-wide default, loads (or generates once) the development identity. Warns about certificates
   * that expire within 30 days.
   */
  async start(log: { warn(msg: string): void }): Promise<void> {
    for (const warning of await this.expiringWithin(30)) log.warn(`Apple certificate expiring soon: ${warning}`);
    if (this.fallback) return;
    let row = await this.developmentRow();
    if (!row) {
      const ca = issueIdentity(
        [
          ["CN", "Wallet Pass Server Development CA"],
          ["O", "Wallet Pass Server"],
        ],
        { isCa: true, days: 3650 },
      );
      const pass = issueIdentity(passCertificateName(DEV_PASS_TYPE, DEV_TEAM, "Wallet Pass Server (development)"), {
        issuer: ca,
        isCa: false,
        days: 3650,
      });
      await this.pool.query(
        `INSERT INTO apple_identities (project_id, kind, pass_type_identifier, team_identifier, organization_name,
           certificate_pem, chain_pem, private_key_encrypted, not_after)
         VALUES (NULL, 'development', $1, $2, $3, $4, $5, $6, now() + interval '3650 days')
         ON CONFLICT (kind) WHERE kind = 'development' DO NOTHING`,
        [
          DEV_PASS_TYPE,
          DEV_TEAM,
          "Wallet Pass Server (development)",
          toPem(pass.certificate),
          toPem(ca.certificate),
          this.box.seal(Buffer.from(pass.privateKey.export({ type: "pkcs8", format: "pem" }))),
        ],
      );
      row = await this.developmentRow();
    }
    this.development = this.fromRow(row!);
    log.warn(
      "Apple: no APPLE_PASS_CERT configured. Projects without their own certificate get passes signed by a " +
        "generated development certificate: they open in tools and tests but will not install on a phone. " +
        "Import a Pass Type ID certificate (npm run cli -- cert import) to issue real passes.",
    );
  }

  private async developmentRow(): Promise<IdentityRow | undefined> {
    const { rows } = await this.pool.query<IdentityRow>("SELECT * FROM apple_identities WHERE kind = 'development'");
    return rows[0];
  }

  private fromRow(row: IdentityRow): SigningIdentity {
    const key = `${row.id}:${row.updated_at.getTime()}`;
    const cached = this.built.get(key);
    if (cached) return cached;
    const privateKey = createPrivateKey(this.box.open(row.private_key_encrypted).toString("utf8"));
    const certificate = new X509Certificate(row.certificate_pem);
    const chain = row.chain_pem ? [new X509Certificate(row.chain_pem)] : [this.wwdr];
    const identity: PassIdentity = {
      certificate,
      privateKey,
      chain,
      passTypeIdentifier: row.pass_type_identifier,
      teamIdentifier: row.team_identifier,
      organizationName: row.organization_name,
    };
    const built = signingIdentity(key, identity, row.kind === "development");
    this.built.set(key, built);
    return built;
  }

  /** The identity signing this project's passes (cached briefly, so an import elsewhere is seen within 30 s). */
  async forProject(projectId: number): Promise<SigningIdentity> {
    return (await this.resolver.resolve(projectId)).value;
  }

  private async ownIdentity(projectId: number): Promise<SigningIdentity | undefined> {
    const { rows } = await this.pool.query<IdentityRow>({
      name: "apple-identity-of-project",
      text: "SELECT * FROM apple_identities WHERE project_id = $1",
      values: [projectId],
    });
    return rows[0] && this.fromRow(rows[0]);
  }

  async summary(projectId: number): Promise<IdentitySummary> {
    const { value, source } = await this.resolver.resolve(projectId);
    return summaryOf(value, source === "project" ? projectId : null, source);
  }

  /** Validates and stores a project's identity (replacing any). Throws InvalidInput naming each problem. */
  async import(projectId: number, input: IdentityInput): Promise<IdentitySummary> {
    const identity = await readUploadedIdentity(input);
    const problems = identityProblems(identity, this.wwdr);
    if (problems.length) {
      const expired = new Date(identity.certificate.validTo).getTime() <= Date.now();
      throw new InvalidInput(problems, expired ? "CERTIFICATE_EXPIRED" : "INVALID_CERTIFICATE");
    }
    await this.pool.query(
      `INSERT INTO apple_identities (project_id, kind, pass_type_identifier, team_identifier, organization_name,
         certificate_pem, chain_pem, private_key_encrypted, not_after)
       VALUES ($1, 'project', $2, $3, $4, $5, NULL, $6, $7)
       ON CONFLICT (project_id) DO UPDATE SET pass_type_identifier = EXCLUDED.pass_type_identifier,
         team_identifier = EXCLUDED.team_identifier, organization_name = EXCLUDED.organization_name,
         certificate_pem = EXCLUDED.certificate_pem, private_key_encrypted = EXCLUDED.private_key_encrypted,
         not_after = EXCLUDED.not_after, certificate_id = gen_random_uuid(), updated_at = clock_timestamp()`,
      [
        projectId,
        identity.passTypeIdentifier,
        identity.teamIdentifier,
        identity.organizationName,
        identity.certificate.toString(),
        this.box.seal(Buffer.from(identity.privateKey.export({ type: "pkcs8", format: "pem" }))),
        expiresAt(identity.certificate),
      ],
    );
    this.resolver.forget(projectId);
    return this.summary(projectId);
  }

  /** Removes a project's own identity; its passes fall back to the default. */
  async remove(projectId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query("DELETE FROM apple_identities WHERE project_id = $1", [projectId]);
    this.resolver.forget(projectId);
    return (rowCount ?? 0) > 0;
  }

  /** Identities that expire within `days` (the default one included), for a warning at start. */
  async expiringWithin(days: number): Promise<string[]> {
    const limit = Date.now() + days * 86_400_000;
    const out: string[] = [];
    if (this.fallback && expiresAt(this.fallback.certificate).getTime() < limit) {
      out.push(
        `APPLE_PASS_CERT (${this.fallback.passTypeIdentifier}) expires ${expiresAt(this.fallback.certificate).toISOString()}`,
      );
    }
    const { rows } = await this.pool.query<{ project_id: number; pass_type_identifier: string; not_after: Date }>(
      "SELECT project_id, pass_type_identifier, not_after FROM apple_identities WHERE kind = 'project' AND not_after < $1",
      [new Date(limit)],
    );
    for (const row of rows) {
      out.push(
        `project ${row.project_id} (${row.pass_type_identifier}) certificate expires ${row.not_after.toISOString()}`,
      );
    }
    return out;
  }
}
