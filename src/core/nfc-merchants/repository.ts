// Storage of NFC merchants, always scoped to a project the caller's account owns.

import type pg from "pg";
import type { Clock } from "../../clock.js";
import type { Queryable } from "../../db/queryable.js";
import { inTransaction } from "../../db/transaction.js";

export interface NfcMerchantRow {
  id: string;
  projectId: number;
  vendor: string;
  merchantName: string | null;
  merchantEmail: string | null;
  terminalProvider: string | null;
  publicKeyPem: string;
  keyVersion: number;
  keySource: string;
  smartTapIssuerId: string | null;
  smartTapCollectorId: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type NfcMerchantFields = Pick<
  NfcMerchantRow,
  | "vendor"
  | "merchantName"
  | "merchantEmail"
  | "terminalProvider"
  | "publicKeyPem"
  | "keyVersion"
  | "keySource"
  | "smartTapIssuerId"
  | "smartTapCollectorId"
>;

type MerchantChanges = Partial<
  Pick<
    NfcMerchantFields,
    "merchantName" | "merchantEmail" | "terminalProvider" | "smartTapIssuerId" | "smartTapCollectorId"
  >
>;

const COLUMNS = `id, project_id AS "projectId", vendor, merchant_name AS "merchantName",
  merchant_email AS "merchantEmail", terminal_provider AS "terminalProvider", public_key_pem AS "publicKeyPem",
  key_version AS "keyVersion", key_source AS "keySource", smart_tap_issuer_id AS "smartTapIssuerId",
  smart_tap_collector_id AS "smartTapCollectorId", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The columns a merchant update may set, by its field name. */
const CHANGEABLE: Record<keyof MerchantChanges, string> = {
  merchantName: "merchant_name",
  merchantEmail: "merchant_email",
  terminalProvider: "terminal_provider",
  smartTapIssuerId: "smart_tap_issuer_id",
  smartTapCollectorId: "smart_tap_collector_id",
};

export class NfcMerchantRepository {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
  ) {}

  async list(projectId: number, db: Queryable = this.pool): Promise<NfcMerchantRow[]> {
    const { rows } = await db.query<NfcMerchantRow>(
      `SELECT ${COLUMNS} FROM nfc_merchants WHERE project_id = $1 ORDER BY created_at, id`,
      [projectId],
    );
    return rows;
  }

  async find(projectId: number, id: string, db: Queryable = this.pool): Promise<NfcMerchantRow | null> {
    const { rows } = await db.query<NfcMerchantRow>(
      `SELECT ${COLUMNS} FROM nfc_merchants WHERE project_id = $1 AND id = $2`,
      [projectId, id],
    );
    return rows[0] ?? null;
  }

  /** Adds a merchant unless the project has `max` already (the project row is locked: concurrent adds queue). */
  create(projectId: number, id: string, fields: NfcMerchantFields, max: number): Promise<NfcMerchantRow | "full"> {
    return inTransaction(this.pool, async (client) => {
      await client.query("SELECT 1 FROM projects WHERE id = $1 FOR NO KEY UPDATE", [projectId]);
      const { rows } = await client.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM nfc_merchants WHERE project_id = $1",
        [projectId],
      );
      if (rows[0]!.n >= max) return "full";
      const created = await client.query<NfcMerchantRow>(
        `INSERT INTO nfc_merchants (id, project_id, vendor, merchant_name, merchant_email, terminal_provider,
           public_key_pem, key_version, key_source, smart_tap_issuer_id, smart_tap_collector_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${COLUMNS}`,
        [
          id,
          projectId,
          fields.vendor,
          fields.merchantName,
          fields.merchantEmail,
          fields.terminalProvider,
          fields.publicKeyPem,
          fields.keyVersion,
          fields.keySource,
          fields.smartTapIssuerId,
          fields.smartTapCollectorId,
        ],
      );
      return created.rows[0]!;
    });
  }

  async update(
    projectId: number,
    id: string,
    changes: MerchantChanges,
    db: Queryable = this.pool,
  ): Promise<NfcMerchantRow | null> {
    const named = (Object.keys(CHANGEABLE) as (keyof MerchantChanges)[]).filter((k) => changes[k] !== undefined);
    const sets = named.map((k, i) => `${CHANGEABLE[k]} = $${i + 4}`);
    const { rows } = await db.query<NfcMerchantRow>(
      `UPDATE nfc_merchants SET ${[...sets, "updated_at = $3"].join(", ")}
        WHERE project_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [projectId, id, new Date(this.clock.now()), ...named.map((k) => changes[k])],
    );
    return rows[0] ?? null;
  }

  async delete(projectId: number, id: string, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query("DELETE FROM nfc_merchants WHERE project_id = $1 AND id = $2", [projectId, id]);
    return (rowCount ?? 0) > 0;
  }
}
