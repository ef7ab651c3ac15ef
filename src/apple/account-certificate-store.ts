// The SQL of an account's Apple certificates (Airship's /v1/certificates): rows of apple_identities of kind 'account',
// their private keys sealed like the projects' own. One row per account, pass type and team: uploading the same
// pass type and team again renews that row; at most one default per account.
import type pg from "pg";
import type { Queryable } from "../db/queryable.js";
import { inTransaction } from "../db/transaction.js";

export interface AccountCertificateRow {
  id: number;
  certificate_id: string;
  account_id: number;
  name: string | null;
  comment: string | null;
  enabled: boolean;
  is_default: boolean;
  pass_type_identifier: string;
  team_identifier: string;
  organization_name: string;
  not_after: Date;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = `id, certificate_id, account_id, name, comment, enabled, is_default, pass_type_identifier,
  team_identifier, organization_name, not_after, created_at, updated_at`;

export interface CertificateValues {
  passTypeIdentifier: string;
  teamIdentifier: string;
  organizationName: string;
  certificatePem: string;
  notAfter: Date;
  /** The private key, sealed. */
  sealedKey: Buffer;
}

export interface CertificateSettings {
  name?: string;
  comment?: string | null;
  enabled?: boolean;
  isDefault?: boolean;
}

export class AccountCertificateStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Clears the account's default before another becomes it (the caller's transaction sets the new one). */
  private async clearDefault(
    db: Queryable,
    accountId: number,
    keep: { certificateId: string } | { passTypeIdentifier: string; teamIdentifier: string },
  ): Promise<void> {
    const [which, values] =
      "certificateId" in keep
        ? ["certificate_id = $2::uuid", [keep.certificateId]]
        : ["pass_type_identifier = $2 AND team_identifier = $3", [keep.passTypeIdentifier, keep.teamIdentifier]];
    await db.query(
      `UPDATE apple_identities SET is_default = false
        WHERE kind = 'account' AND account_id = $1 AND is_default AND NOT (${which})`,
      [accountId, ...values],
    );
  }

  /**
   * Adds a certificate, or renews the account's certificate of the same pass type and team (new key and validity,
   * the given settings applied). Answers the row and whether it was a renewal.
   */
  upsert(
    accountId: number,
    values: CertificateValues,
    settings: CertificateSettings,
  ): Promise<{ row: AccountCertificateRow; renewed: boolean }> {
    return inTransaction(this.pool, async (client) => {
      // One writer per account at a time: two uploads of one pass type, or two defaults, cannot interleave.
      await client.query("SELECT pg_advisory_xact_lock(hashtext('account-certificates'), $1)", [accountId]);
      if (settings.isDefault) {
        await this.clearDefault(client, accountId, values);
      }
      const { rows } = await client.query<AccountCertificateRow & { inserted: boolean }>(
        `INSERT INTO apple_identities (kind, account_id, pass_type_identifier, team_identifier, organization_name,
           certificate_pem, private_key_encrypted, not_after, name, comment, enabled, is_default)
         VALUES ('account', $1, $2, $3, $4, $5, $6, $7, $8, $9, COALESCE($10, true), COALESCE($11, false))
         ON CONFLICT (account_id, pass_type_identifier, team_identifier) WHERE kind = 'account'
         DO UPDATE SET organization_name = EXCLUDED.organization_name, certificate_pem = EXCLUDED.certificate_pem,
           private_key_encrypted = EXCLUDED.private_key_encrypted, not_after = EXCLUDED.not_after,
           name = COALESCE($8, apple_identities.name), comment = COALESCE($9, apple_identities.comment),
           enabled = COALESCE($10, apple_identities.enabled), is_default = COALESCE($11, apple_identities.is_default),
           updated_at = clock_timestamp()
         RETURNING ${COLUMNS}, (xmax = 0) AS inserted`,
        [
          accountId,
          values.passTypeIdentifier,
          values.teamIdentifier,
          values.organizationName,
          values.certificatePem,
          values.sealedKey,
          values.notAfter,
          settings.name ?? null,
          settings.comment ?? null,
          settings.enabled ?? null,
          settings.isDefault ?? null,
        ],
      );
      const { inserted, ...row } = rows[0]!;
      return { row, renewed: !inserted };
    });
  }

  async find(accountId: number, certificateId: string, db: Queryable = this.pool) {
    const { rows } = await db.query<AccountCertificateRow>(
      `SELECT ${COLUMNS} FROM apple_identities WHERE kind = 'account' AND account_id = $1 AND certificate_id = $2`,
      [accountId, certificateId],
    );
    return rows[0];
  }

  async list(accountId: number): Promise<AccountCertificateRow[]> {
    const { rows } = await this.pool.query<AccountCertificateRow>(
      `SELECT ${COLUMNS} FROM apple_identities WHERE kind = 'account' AND account_id = $1 ORDER BY created_at, id`,
      [accountId],
    );
    return rows;
  }

  /** Changes a certificate's settings and, with `values`, its certificate (same pass type and team); undefined if none. */
  update(
    accountId: number,
    certificateId: string,
    settings: CertificateSettings,
    values?: CertificateValues,
  ): Promise<AccountCertificateRow | undefined> {
    return inTransaction(this.pool, async (client) => {
      await client.query("SELECT pg_advisory_xact_lock(hashtext('account-certificates'), $1)", [accountId]);
      if (settings.isDefault) await this.clearDefault(client, accountId, { certificateId });
      const { rows } = await client.query<AccountCertificateRow>(
        `UPDATE apple_identities SET name = COALESCE($3, name),
           comment = CASE WHEN $4 THEN $5 ELSE comment END, enabled = COALESCE($6, enabled),
           is_default = COALESCE($7, is_default),
           organization_name = COALESCE($8, organization_name), certificate_pem = COALESCE($9, certificate_pem),
           private_key_encrypted = COALESCE($10, private_key_encrypted), not_after = COALESCE($11, not_after),
           updated_at = clock_timestamp()
         WHERE kind = 'account' AND account_id = $1 AND certificate_id = $2
         RETURNING ${COLUMNS}`,
        [
          accountId,
          certificateId,
          settings.name ?? null,
          settings.comment !== undefined,
          settings.comment ?? null,
          settings.enabled ?? null,
          settings.isDefault ?? null,
          values?.organizationName ?? null,
          values?.certificatePem ?? null,
          values?.sealedKey ?? null,
          values?.notAfter ?? null,
        ],
      );
      return rows[0];
    });
  }

  async delete(accountId: number, certificateId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "DELETE FROM apple_identities WHERE kind = 'account' AND account_id = $1 AND certificate_id = $2",
      [accountId, certificateId],
    );
    return (rowCount ?? 0) > 0;
  }

  /** The account certificates that expire before `limit`. */
  async expiringBefore(limit: Date): Promise<AccountCertificateRow[]> {
    const { rows } = await this.pool.query<AccountCertificateRow>(
      `SELECT ${COLUMNS} FROM apple_identities WHERE kind = 'account' AND not_after < $1 ORDER BY not_after`,
      [limit],
    );
    return rows;
  }

  /** The whole row (sealed key included) of the enabled default certificate of the project's account. */
  async defaultOfProject<Row>(projectId: number): Promise<Row | undefined> {
    const { rows } = await this.pool.query<Row & pg.QueryResultRow>({
      name: "account-default-certificate",
      text: `SELECT i.* FROM apple_identities i JOIN projects p ON p.account_id = i.account_id
              WHERE p.id = $1 AND i.kind = 'account' AND i.enabled AND i.is_default`,
      values: [projectId],
    });
    return rows[0];
  }
}
