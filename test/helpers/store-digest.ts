// A digest of everything a request could have written: every row of every table of the schema (read from the
// database, so a new table is watched the day its migration lands) and the queued jobs. Two equal digests mean
// nothing was written in between.
import type { TestDatabase } from "./database.js";

/**
 * Tables a refused request may still change, and why; every other table is watched.
 */
const UNWATCHED: Record<string, string> = {
  _prisma_migrations: "migration bookkeeping, written at start only",
  images: "a content-addressed cache: an image fetched for a request refused later stays until collected",
};

export interface StoreDigest {
  /** The watched tables. */
  readonly tables: string[];
  take(): Promise<string>;
}

export async function storeDigest(database: TestDatabase): Promise<StoreDigest> {
  const { rows } = await database.query<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables
      WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1`,
  );
  const tables = rows.map((r) => r.name).filter((name) => !(name in UNWATCHED));
  const parts = tables.map(
    (t) => `(SELECT md5(COALESCE(string_agg(md5(x::text), '' ORDER BY md5(x::text)), '')) FROM "${t}" x) AS "${t}"`,
  );
  parts.push("(SELECT count(*) FROM graphile_worker.jobs) AS queued_jobs");
  const sql = `SELECT ${parts.join(", ")}`;
  return {
    tables,
    take: async () => JSON.stringify((await database.query(sql)).rows[0]),
  };
}
