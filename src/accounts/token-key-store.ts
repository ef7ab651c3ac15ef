// The OAuth access tokens' signing keys (token_signing_keys), sealed at rest: made, retired, read.
import type { Queryable } from "../db/queryable.js";

export interface StoredTokenKey {
  readonly kid: string;
  readonly sealed: Buffer;
  readonly retired: boolean;
}

export class TokenKeyStore {
  constructor(private readonly db: Queryable) {}

  async add(kid: string, sealed: Buffer): Promise<void> {
    await this.db.query("INSERT INTO token_signing_keys (kid, secret_sealed) VALUES ($1, $2)", [kid, sealed]);
  }

  /** Retires the keys (but `kid`) superseded by a newer key longer ago than `lifetimeS`; returns their ids. */
  async retireSuperseded(kid: string, lifetimeS: number): Promise<string[]> {
    const { rows } = await this.db.query<{ kid: string }>(
      `UPDATE token_signing_keys k SET retired_at = now()
        WHERE retired_at IS NULL AND kid <> $1
          AND EXISTS (SELECT 1 FROM token_signing_keys newer WHERE newer.created_at > k.created_at
                        AND newer.created_at < now() - make_interval(secs => $2))
        RETURNING kid`,
      [kid, lifetimeS],
    );
    return rows.map((r) => r.kid);
  }

  /** Retires every key but the newest; returns how many. */
  async retireAllButNewest(): Promise<number> {
    const { rowCount } = await this.db.query(
      `UPDATE token_signing_keys SET retired_at = now() WHERE retired_at IS NULL
          AND kid <> (SELECT kid FROM token_signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC LIMIT 1)`,
    );
    return rowCount ?? 0;
  }

  /** Every key, newest first. */
  async all(): Promise<StoredTokenKey[]> {
    const { rows } = await this.db.query<StoredTokenKey>(
      `SELECT kid, secret_sealed AS sealed, retired_at IS NOT NULL AS retired FROM token_signing_keys
        ORDER BY created_at DESC`,
    );
    return rows;
  }
}
