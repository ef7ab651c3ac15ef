// The web console's sessions (table console_sessions): the SHA-256 of each cookie token, the API key it signed in
// with and the scopes chosen then. A session ends at its expiry, at sign-out, or when its key is revoked.
import type { Queryable } from "../db/queryable.js";
import type { StoredApiKey } from "./api-key-repository.js";

export interface StoredSession {
  readonly apiKeyId: number;
  readonly accountId: number;
  /** The key's own limits. */
  readonly keyScopes: string[];
  readonly projectId: number | null;
  readonly readOnly: boolean;
  readonly keyName: string;
  readonly key: string;
  /** The scopes chosen at sign-in (empty: the key's). */
  readonly scopes: string[];
  readonly csrfToken: string;
  readonly expiresAt: Date;
}

export class ConsoleSessionStore {
  constructor(private readonly db: Queryable) {}

  async add(
    tokenHash: string,
    key: Pick<StoredApiKey, "id">,
    scopes: string[],
    csrfToken: string,
    expiresAt: Date,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO console_sessions (token_hash, api_key_id, scopes, csrf_token, expires_at) VALUES ($1, $2, $3, $4, $5)`,
      [tokenHash, key.id, scopes, csrfToken, expiresAt],
    );
  }

  /** The live session with this token hash (not expired at `now`, its key not revoked), or undefined. */
  async find(tokenHash: string, now: Date): Promise<StoredSession | undefined> {
    const { rows } = await this.db.query<StoredSession>(
      `SELECT k.id AS "apiKeyId", k.account_id AS "accountId", k.scopes AS "keyScopes", k.project_id AS "projectId",
              k.read_only AS "readOnly", k.name AS "keyName", k.key, s.scopes, s.csrf_token AS "csrfToken",
              s.expires_at AS "expiresAt"
         FROM console_sessions s JOIN api_keys k ON k.id = s.api_key_id
        WHERE s.token_hash = $1 AND s.expires_at > $2 AND k.revoked_at IS NULL`,
      [tokenHash, now],
    );
    return rows[0];
  }

  async remove(tokenHash: string): Promise<void> {
    await this.db.query("DELETE FROM console_sessions WHERE token_hash = $1", [tokenHash]);
  }

  /** Drops sessions expired at `now`; returns how many. */
  async prune(now: Date): Promise<number> {
    const { rowCount } = await this.db.query("DELETE FROM console_sessions WHERE expires_at <= $1", [now]);
    return rowCount ?? 0;
  }
}
