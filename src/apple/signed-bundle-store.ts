// The signed bundle kept per pass (signed_bundles), under the digest of everything that went into it: a device
// fetching an unchanged pass again is served these bytes instead of a new signature.
import type { Queryable } from "../db/queryable.js";

export class SignedBundleStore {
  constructor(private readonly db: Queryable) {}

  /** The stored bundle of a pass, when it was signed from the same inputs (the digest). */
  async find(passId: number, digest: string): Promise<Buffer | undefined> {
    const { rows } = await this.db.query<{ bytes: Buffer }>({
      name: "signed-bundle",
      text: "SELECT bytes FROM signed_bundles WHERE pass_id = $1 AND digest = $2",
      values: [passId, digest],
    });
    return rows[0]?.bytes;
  }

  /** Keeps a pass's newest bundle (one per pass). */
  async keep(passId: number, version: number, digest: string, bytes: Buffer): Promise<void> {
    await this.db.query({
      name: "signed-bundle-store",
      text: `INSERT INTO signed_bundles (pass_id, version, digest, bytes) VALUES ($1, $2, $3, $4)
             ON CONFLICT (pass_id) DO UPDATE SET version = EXCLUDED.version, digest = EXCLUDED.digest,
               bytes = EXCLUDED.bytes, signed_at = now()`,
      values: [passId, version, digest, bytes],
    });
  }
}
