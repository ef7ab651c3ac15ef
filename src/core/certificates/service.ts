// Airship's /v1/certificates: an account's Apple certificates (Google's are managed in Google's console). A
// certificate is uploaded as base64 of its .p12 (or PEM) with its password, checked as a project's import is, and
// stored with its key sealed; the same pass type and team uploaded again renews it. The enabled default one signs
// the passes of every project of the account that has no certificate of its own.
import type { AccountCertificateRow, CertificateSettings } from "../../apple/account-certificate-store.js";
import { expiresAt } from "../../apple/certificates.js";
import type { AppleIdentities } from "../../apple/identities.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { isObject } from "../../domain/values.js";
import { VENDORS, vendorNamed } from "../../domain/vendors.js";
import { notFound } from "../../errors.js";

export const MAX_NAME_LENGTH = 255;
export const MAX_COMMENT_LENGTH = 1000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function certificateResponse(row: AccountCertificateRow) {
  return {
    id: row.certificate_id,
    vendor: "Apple" as const,
    name: row.name ?? row.pass_type_identifier,
    ...(row.comment === null ? {} : { comment: row.comment }),
    enabled: row.enabled,
    default: row.is_default,
    baseName: row.pass_type_identifier,
    teamIdentifier: row.team_identifier,
    organizationName: row.organization_name,
    expirationDate: row.not_after.toISOString(),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** The settings and the uploaded certificate a request carries, each problem named. */
function parseBody(raw: unknown, creating: boolean) {
  if (!isObject(raw)) throw new InvalidInput(['The certificate must be a JSON object: {"certificate", "password", …}']);
  const problems: string[] = [];
  const settings: CertificateSettings = {};
  // Certificates sign pass.json bundles: only the PassKit vendor has them.
  const vendor = typeof raw.vendor === "string" ? vendorNamed(raw.vendor) : undefined;
  if (raw.vendor !== undefined && !(vendor && VENDORS[vendor].passKit)) {
    problems.push('vendor must be "Apple" (Google certificates are managed in the Google Pay & Wallet Console)');
  }
  if (raw.name !== undefined) {
    if (typeof raw.name !== "string" || raw.name.trim() === "" || raw.name.length > MAX_NAME_LENGTH) {
      problems.push(`name must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`);
    } else settings.name = raw.name;
  }
  if (raw.comment !== undefined) {
    if (raw.comment !== null && (typeof raw.comment !== "string" || raw.comment.length > MAX_COMMENT_LENGTH)) {
      problems.push(`comment must be a string of at most ${MAX_COMMENT_LENGTH} characters, or null`);
    } else settings.comment = raw.comment as string | null;
  }
  for (const [key, target] of [
    ["enabled", "enabled"],
    ["default", "isDefault"],
  ] as const) {
    if (raw[key] === undefined) continue;
    if (typeof raw[key] !== "boolean") problems.push(`${key} must be true or false`);
    else settings[target] = raw[key] as boolean;
  }
  let upload: { certificate: Buffer; password?: string } | undefined;
  if (raw.certificate !== undefined) {
    const text = typeof raw.certificate === "string" ? raw.certificate.trim() : "";
    const base64 = text.replace(/\s+/g, "");
    if (text.startsWith("-----BEGIN")) upload = { certificate: Buffer.from(text) };
    else if (base64 !== "" && base64.length <= 200_000 && /^[A-Za-z0-9+/]+={0,2}$/.test(base64)) {
      upload = { certificate: Buffer.from(base64, "base64") };
    } else problems.push("certificate must be the base64 of a .p12 file (newlines allowed), or PEM text");
    if (raw.password !== undefined && (typeof raw.password !== "string" || raw.password.length > 1000)) {
      problems.push("password must be a string of at most 1000 characters");
    } else if (upload && typeof raw.password === "string") upload.password = raw.password;
  } else if (creating) problems.push("certificate is required: the base64 of the .p12 file");
  if (problems.length) throw new InvalidInput(problems);
  return { settings, upload };
}

export class CertificateService {
  constructor(private readonly identities: AppleIdentities) {}

  private get store() {
    return this.identities.accountCertificates;
  }

  private async values(upload: { certificate: Buffer; password?: string }) {
    const identity = await this.identities.readChecked(upload);
    return {
      passTypeIdentifier: identity.passTypeIdentifier,
      teamIdentifier: identity.teamIdentifier,
      organizationName: identity.organizationName,
      certificatePem: identity.certificate.toString(),
      notAfter: expiresAt(identity.certificate),
      sealedKey: this.identities.sealKey(identity),
    };
  }

  /** Adds a certificate, or renews the account's one of the same pass type and team; `renewed` says which. */
  async create(accountId: number, body: unknown) {
    const { settings, upload } = parseBody(body, true);
    const { row, renewed } = await this.store.upsert(accountId, await this.values(upload!), settings);
    this.identities.accountChanged();
    return { renewed, certificate: certificateResponse(row) };
  }

  async get(accountId: number, id: string) {
    const row = UUID.test(id) ? await this.store.find(accountId, id) : undefined;
    if (!row) throw notFound("Certificate", `Certificate ${id.slice(0, 64)}`);
    return certificateResponse(row);
  }

  async list(accountId: number) {
    return { certificates: (await this.store.list(accountId)).map(certificateResponse) };
  }

  /** Changes settings; a new certificate must be of the same pass type and team (else a new one is POSTed). */
  async update(accountId: number, id: string, body: unknown) {
    const current = UUID.test(id) ? await this.store.find(accountId, id) : undefined;
    if (!current) throw notFound("Certificate", `Certificate ${id.slice(0, 64)}`);
    const { settings, upload } = parseBody(body, false);
    const values = upload ? await this.values(upload) : undefined;
    if (
      values &&
      (values.passTypeIdentifier !== current.pass_type_identifier || values.teamIdentifier !== current.team_identifier)
    ) {
      throw new InvalidInput([
        `certificate is for ${values.passTypeIdentifier} (team ${values.teamIdentifier}), not this certificate's ` +
          `${current.pass_type_identifier} (team ${current.team_identifier}): POST it as a certificate of its own`,
      ]);
    }
    const row = await this.store.update(accountId, id, settings, values);
    if (!row) throw notFound("Certificate", `Certificate ${id.slice(0, 64)}`);
    this.identities.accountChanged();
    return certificateResponse(row);
  }

  async delete(accountId: number, id: string) {
    if (!UUID.test(id) || !(await this.store.delete(accountId, id))) {
      throw notFound("Certificate", `Certificate ${id.slice(0, 64)}`);
    }
    this.identities.accountChanged();
  }
}
