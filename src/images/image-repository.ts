// Storage of images: validated PNGs by content hash, and the collection of those nothing names any more.
import type pg from "pg";
import type { Queryable } from "../db/queryable.js";

export class ImageRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Stores an image (storing it again renews it: the collection spares images stored recently). */
  async save(sha256: string, data: Buffer, size: { width: number; height: number }, db: Queryable = this.pool) {
    await db.query(
      `INSERT INTO images (sha256, data, width, height) VALUES ($1, $2, $3, $4)
       ON CONFLICT (sha256) DO UPDATE SET created_at = now()`,
      [sha256, data, size.width, size.height],
    );
  }

  async load(hashes: string[], db: Queryable = this.pool): Promise<{ sha256: string; data: Buffer }[]> {
    const { rows } = await db.query<{ sha256: string; data: Buffer }>(
      "SELECT sha256, data FROM images WHERE sha256 = ANY($1::text[])",
      [hashes],
    );
    return rows;
  }
}

/**
 * Deletes stored images that no template or pass names any more and that were not stored again within
 * `graceMs` (an image is stored before the template or pass naming it is written). Returns how many went.
 */
export async function collectUnreferencedImages(db: Queryable, graceMs: number): Promise<number> {
  const { rowCount } = await db.query(
    `WITH referenced AS (
       SELECT e.value AS sha256 FROM templates t, jsonb_each_text(COALESCE(t.design->'images', '{}'::jsonb)) e
        WHERE jsonb_typeof(t.design->'images') = 'object'
       UNION
       SELECT e.value FROM passes p, jsonb_each_text(p.images) e
        WHERE jsonb_typeof(p.images) = 'object' AND p.images <> '{}'::jsonb
       UNION
       -- Upcoming events' images (upcomingPassInformation), held by hash inside a template's or pass's header.
       SELECT jsonb_path_query(t.design, '$.headers.upcomingPassInformation.value[*].images.*.urls[*].sha256') #>> '{}'
         FROM templates t WHERE t.design->'headers' ? 'upcomingPassInformation'
       UNION
       SELECT jsonb_path_query(p.overrides, '$.headers.upcomingPassInformation.value[*].images.*.urls[*].sha256') #>> '{}'
         FROM passes p WHERE p.overrides->'headers' ? 'upcomingPassInformation')
     DELETE FROM images i
      WHERE i.created_at < now() - make_interval(secs => $1::double precision / 1000)
        AND NOT EXISTS (SELECT 1 FROM referenced r WHERE r.sha256 = i.sha256)`,
    [graceMs],
  );
  return rowCount ?? 0;
}
