// Every column holding a secret sealed under WALLET_ENCRYPTION_KEY, and the key rotation over them: in one
// transaction, each sealed value is opened (with the current key, or the previous one) and sealed again with the
// current key — so after `cli secrets rotate-key` nothing needs WALLET_ENCRYPTION_KEY_PREVIOUS any more.
import type pg from "pg";
import { inTransaction } from "../db/transaction.js";
import type { SecretBox } from "./encryption.js";

/** table, its key column, the sealed column. A test checks every BYTEA column but image bytes is listed here. */
export const SEALED_COLUMNS = [
  ["apple_identities", "id", "private_key_encrypted"],
  ["google_credentials", "id", "service_account_encrypted"],
  ["project_callbacks", "project_id", "headers_sealed"],
  ["webhook_endpoints", "id", "secret_sealed"],
  ["webhook_endpoints", "id", "previous_secret_sealed"],
  ["token_signing_keys", "kid", "secret_sealed"],
  ["google_totp_keys", "pass_id", "key_sealed"],
] as const;

/** Re-seals every stored secret with the box's current key; answers how many per column (and how many needed it). */
export async function rotateSecrets(pool: pg.Pool, box: SecretBox) {
  return inTransaction(pool, async (client) => {
    const counts: Record<string, { resealed: number; fromPreviousKey: number }> = {};
    for (const [table, key, column] of SEALED_COLUMNS) {
      const { rows } = await client.query<{ k: string; sealed: Buffer }>(
        `SELECT ${key}::text AS k, ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL FOR UPDATE`,
      );
      let fromPreviousKey = 0;
      for (const row of rows) {
        const opened = box.openWith(row.sealed);
        if (opened.previous) fromPreviousKey++;
        await client.query(`UPDATE ${table} SET ${column} = $2 WHERE ${key}::text = $1`, [
          row.k,
          box.seal(opened.plaintext),
        ]);
      }
      counts[`${table}.${column}`] = { resealed: rows.length, fromPreviousKey };
    }
    return counts;
  });
}
