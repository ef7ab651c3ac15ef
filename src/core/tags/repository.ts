// Storage of tags: the account's tags, the tags of a pass, and set-based changes to every pass carrying a tag.
import type pg from "pg";
import type { Queryable } from "../../db/queryable.js";
import { inTransaction } from "../../db/transaction.js";
import { recordPassEvents } from "../../events/pass-event-store.js";
import type { TemplatePatch } from "../../jobs/audience-update.js";
import type { Page } from "../pagination.js";
import { setTags } from "../passes/repository.js";

export const TAG_ORDERS = ["id", "name", "createdAt"] as const;
export type TagOrder = (typeof TAG_ORDERS)[number];
const TAG_ORDER_COLUMNS: Record<TagOrder, string> = { id: "t.id", name: "t.name", createdAt: "t.created_at" };

export interface TagRow {
  id: number;
  name: string;
  createdAt: Date;
}

export class TagRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** A page of the account's tags with their pass counts, and how many tags it has. */
  async list(
    accountId: number,
    page: Page<TagOrder>,
    db: Queryable = this.pool,
  ): Promise<{ count: number; rows: (TagRow & { passCount: number })[] }> {
    const direction = page.direction === "ASC" ? "ASC" : "DESC";
    const order =
      page.order === "id" ? `t.id ${direction}` : `${TAG_ORDER_COLUMNS[page.order]} ${direction}, t.id ${direction}`;
    const [rows, count] = await Promise.all([
      db.query<TagRow & { passCount: number }>(
        `SELECT t.id, t.name, t.created_at AS "createdAt",
                (SELECT count(*)::int FROM pass_tags pt WHERE pt.tag_id = t.id) AS "passCount"
           FROM tags t WHERE t.account_id = $1 ORDER BY ${order} LIMIT $2 OFFSET $3`,
        [accountId, page.pageSize, page.start],
      ),
      db.query<{ n: number }>("SELECT count(*)::int AS n FROM tags WHERE account_id = $1", [accountId]),
    ]);
    return { count: count.rows[0]?.n ?? 0, rows: rows.rows };
  }

  async find(accountId: number, name: string, db: Queryable = this.pool): Promise<TagRow | undefined> {
    const { rows } = await db.query<TagRow>(
      `SELECT id, name, created_at AS "createdAt" FROM tags WHERE account_id = $1 AND name = $2`,
      [accountId, name],
    );
    return rows[0];
  }

  async ofPass(passId: number, db: Queryable = this.pool): Promise<TagRow[]> {
    const { rows } = await db.query<TagRow>(
      `SELECT t.id, t.name, t.created_at AS "createdAt" FROM pass_tags pt JOIN tags t ON t.id = pt.tag_id
        WHERE pt.pass_id = $1 ORDER BY t.name`,
      [passId],
    );
    return rows;
  }

  /**
   * Adds the tags the pass does not carry yet, unless it would then carry more than `max` (the pass row is locked,
   * so concurrent additions cannot pass the limit together). Returns the names added, or the count it has.
   */
  async addToPass(
    accountId: number,
    passId: number,
    names: string[],
    max: number,
  ): Promise<{ added: string[] } | { full: number }> {
    return inTransaction(this.pool, async (client) => {
      // The pass row first (docs/concurrency.md): concurrent additions to one pass queue here.
      await client.query("SELECT 1 FROM passes WHERE id = $1 FOR NO KEY UPDATE", [passId]);
      const { rows } = await client.query<{ name: string }>(
        "SELECT t.name FROM pass_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.pass_id = $1",
        [passId],
      );
      const current = new Set(rows.map((r) => r.name));
      const added = names.filter((name) => !current.has(name));
      if (current.size + added.length > max) return { full: current.size };
      await setTags(client, accountId, passId, added, false);
      return { added };
    });
  }

  /** Takes the tag off one pass; the tag's id when it was on it. */
  async removeFromPass(
    accountId: number,
    passId: number,
    name: string,
    db: Queryable = this.pool,
  ): Promise<number | undefined> {
    const { rows } = await db.query<{ tagId: number }>(
      `DELETE FROM pass_tags pt USING tags t
        WHERE pt.tag_id = t.id AND t.account_id = $1 AND t.name = $2 AND pt.pass_id = $3
       RETURNING t.id AS "tagId"`,
      [accountId, name, passId],
    );
    return rows[0]?.tagId;
  }

  /** Takes the tag off every pass (the tag itself stays); how many passes carried it. */
  async removeFromAll(tagId: number, db: Queryable = this.pool): Promise<number> {
    const { rowCount } = await db.query("DELETE FROM pass_tags WHERE tag_id = $1", [tagId]);
    return rowCount ?? 0;
  }

  /** Deletes the tag; how many passes it was removed from. */
  async delete(tagId: number): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      const { rowCount } = await client.query("DELETE FROM pass_tags WHERE tag_id = $1", [tagId]);
      await client.query("DELETE FROM tags WHERE id = $1", [tagId]);
      return rowCount ?? 0;
    });
  }

  /** The templates of the passes carrying the tag. */
  async templatesOf(tagId: number, db: Queryable = this.pool): Promise<number[]> {
    const { rows } = await db.query<{ templateId: number }>(
      `SELECT DISTINCT p.template_id AS "templateId" FROM pass_tags pt JOIN passes p ON p.id = pt.pass_id
        WHERE pt.tag_id = $1 ORDER BY 1`,
      [tagId],
    );
    return rows.map((r) => r.templateId);
  }

  /**
   * In one transaction: every pass carrying the tag takes its template's patch (each named value merged into the
   * pass's own values), a new version and its "pass changed" event; a finished ticket records it. Returns the
   * ticket id.
   */
  async updateTagged(accountId: number, tagId: number, patches: TemplatePatch[]): Promise<number> {
    return inTransaction(this.pool, async (client) => {
      // Every pass carrying the tag, locked in id order before any is changed (docs/concurrency.md).
      await client.query(
        `SELECT count(*) FROM (SELECT p.id FROM passes p JOIN pass_tags pt ON pt.pass_id = p.id
                                 WHERE pt.tag_id = $1 ORDER BY p.id FOR NO KEY UPDATE OF p) locked`,
        [tagId],
      );
      const changed: number[] = [];
      for (const patch of patches) {
        const { rows } = await client.query<{ id: number }>(
          `UPDATE passes p SET
             overrides = p.overrides || jsonb_build_object(
               'headers', COALESCE(p.overrides->'headers', '{}'::jsonb) || COALESCE((
                 SELECT jsonb_object_agg(e.key, COALESCE(p.overrides->'headers'->e.key, '{}'::jsonb) || e.value)
                   FROM jsonb_each(COALESCE($3::jsonb->'headers', '{}'::jsonb)) e), '{}'::jsonb),
               'fields', COALESCE(p.overrides->'fields', '{}'::jsonb) || COALESCE((
                 SELECT jsonb_object_agg(e.key, COALESCE(p.overrides->'fields'->e.key, '{}'::jsonb) || e.value)
                   FROM jsonb_each(COALESCE($3::jsonb->'fields', '{}'::jsonb)) e), '{}'::jsonb)),
             images = (p.images - $5::text[]) || $4::jsonb,
             version = p.version + 1, updated_at = now()
            FROM pass_tags pt
           WHERE pt.pass_id = p.id AND pt.tag_id = $1 AND p.template_id = $2
           RETURNING p.id`,
          [tagId, patch.templateId, JSON.stringify(patch.overrides), JSON.stringify(patch.images), patch.clearedImages],
        );
        changed.push(...rows.map((r) => r.id));
      }
      await recordPassEvents(client, changed, "updated");
      const { rows } = await client.query<{ id: number }>(
        `INSERT INTO tickets (account_id, kind, status, payload, total, done, finished_at)
         VALUES ($1, 'tag-update', 'done', $2, $3, $3, now()) RETURNING id`,
        [accountId, JSON.stringify({ tagId }), changed.length],
      );
      return rows[0]!.id;
    });
  }
}
