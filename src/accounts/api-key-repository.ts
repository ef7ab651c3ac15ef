// Storage of accounts and their API keys.

import type pg from "pg";
import { hasErrorCode, isUniqueViolation } from "../db/driver-errors.js";
import type { Queryable } from "../db/queryable.js";
import { inTransaction } from "../db/transaction.js";
import { AppError } from "../errors.js";

export interface StoredApiKey {
  id: number;
  accountId: number;
  key: string;
  name: string;
  secretHash: string;
  createdAt: Date;
  revokedAt: Date | null;
  scopes: string[];
  projectId: number | null;
  readOnly: boolean;
}

const COLUMNS = `id, account_id AS "accountId", key, name, secret_hash AS "secretHash", created_at AS "createdAt",
  revoked_at AS "revokedAt", scopes, project_id AS "projectId", read_only AS "readOnly"`;

/** A foreign key that names nothing (the account given does not exist). */
const FOREIGN_KEY_VIOLATION = new Set(["23503"]);

export class ApiKeyRepository {
  constructor(private readonly pool: pg.Pool) {}

  private async one(where: string, value: unknown, db: Queryable): Promise<StoredApiKey | null> {
    const { rows } = await db.query<StoredApiKey>(`SELECT ${COLUMNS} FROM api_keys WHERE ${where} = $1`, [value]);
    return rows[0] ?? null;
  }

  findByKey(key: string, db: Queryable = this.pool): Promise<StoredApiKey | null> {
    return this.one("key", key, db);
  }

  findBySecretHash(secretHash: string, db: Queryable = this.pool): Promise<StoredApiKey | null> {
    return this.one("secret_hash", secretHash, db);
  }

  async list(db: Queryable = this.pool): Promise<StoredApiKey[]> {
    return (await db.query<StoredApiKey>(`SELECT ${COLUMNS} FROM api_keys ORDER BY id`)).rows;
  }

  /** Creates the key in `accountId`, or in a new account named after the key when no account is given. */
  async create(input: {
    key: string;
    name: string;
    secretHash: string;
    accountId?: number;
    scopes?: string[];
    projectId?: number;
    readOnly?: boolean;
  }): Promise<StoredApiKey> {
    try {
      return await inTransaction(this.pool, async (client) => {
        const accountId =
          input.accountId ??
          (await client.query<{ id: number }>("INSERT INTO accounts (name) VALUES ($1) RETURNING id", [input.name]))
            .rows[0]!.id;
        const { rows } = await client.query<StoredApiKey>(
          `INSERT INTO api_keys (account_id, key, name, secret_hash, scopes, project_id, read_only)
           VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
          [
            accountId,
            input.key,
            input.name,
            input.secretHash,
            input.scopes ?? [],
            input.projectId ?? null,
            input.readOnly ?? false,
          ],
        );
        return rows[0]!;
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new AppError("API_KEY_EXISTS", `API key "${input.key}" already exists`);
      if (hasErrorCode(error, FOREIGN_KEY_VIOLATION)) {
        throw new AppError("ACCOUNT_NOT_FOUND", `Account ${input.accountId} not found`);
      }
      throw error;
    }
  }

  /** Whether the key with this id exists and is not revoked. */
  async isLive(id: number, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query("SELECT 1 FROM api_keys WHERE id = $1 AND revoked_at IS NULL", [id]);
    return (rowCount ?? 0) > 0;
  }

  /** Marks the key revoked; returns false when no such key exists. */
  async revoke(key: string, at: Date, db: Queryable = this.pool): Promise<boolean> {
    const { rowCount } = await db.query("UPDATE api_keys SET revoked_at = $2 WHERE key = $1 AND revoked_at IS NULL", [
      key,
      at,
    ]);
    if ((rowCount ?? 0) > 0) return true;
    return (await db.query("SELECT 1 FROM api_keys WHERE key = $1", [key])).rowCount! > 0;
  }
}
