// Storage of Badge users and passes: a user's shared attributes, a Badge pass's own attributes and the adaptive
// link that hands it out.
import type pg from "pg";
import type { Queryable } from "../../db/queryable.js";
import type { Attributes } from "./attributes.js";

export interface BadgeTemplateRow {
  id: number;
  vendor: string;
  design: unknown;
}

export interface BadgePassRow {
  badge_pass_id: string;
  user_id: string;
  template_id: number;
  pass_id: number;
  adaptive_link_id: string;
  attributes: Attributes;
}

export class BadgeRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** The account's template named by external id, or by id. */
  async template(accountId: number, ref: string, db: Queryable = this.pool): Promise<BadgeTemplateRow | undefined> {
    const { rows } = await db.query<BadgeTemplateRow>(
      `SELECT id, vendor, design FROM templates WHERE account_id = $1
         AND (external_id = $2 OR ($2 ~ '^[0-9]{1,9}$' AND id = $2::int))
       ORDER BY (external_id = $2) DESC LIMIT 1`,
      [accountId, ref],
    );
    return rows[0];
  }

  async templateById(id: number, db: Queryable = this.pool): Promise<BadgeTemplateRow | undefined> {
    const { rows } = await db.query<BadgeTemplateRow>("SELECT id, vendor, design FROM templates WHERE id = $1", [id]);
    return rows[0];
  }

  /** Creates or updates a user (attributes merged); answers the attributes now and before. */
  async upsertUser(
    accountId: number,
    userId: string,
    email: string | null,
    attributes: Attributes,
    db: Queryable = this.pool,
  ) {
    const { rows } = await db.query<{ attributes: Attributes; before: Attributes | null }>(
      `INSERT INTO badge_users (account_id, user_id, email, attributes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, user_id) DO UPDATE SET attributes = badge_users.attributes || EXCLUDED.attributes,
         email = COALESCE(EXCLUDED.email, badge_users.email), updated_at = now()
       RETURNING attributes, (SELECT attributes FROM badge_users WHERE account_id = $1 AND user_id = $2) AS before`,
      [accountId, userId, email, JSON.stringify(attributes)],
    );
    return rows[0]!;
  }

  async pass(
    accountId: number,
    badgePassId: string,
    db: Queryable = this.pool,
  ): Promise<(BadgePassRow & { vendor: string }) | undefined> {
    const { rows } = await db.query<BadgePassRow & { vendor: string }>(
      `SELECT b.*, t.vendor FROM badge_passes b JOIN templates t ON t.id = b.template_id
        WHERE b.account_id = $1 AND b.badge_pass_id = $2`,
      [accountId, badgePassId],
    );
    return rows[0];
  }

  /** Records a new Badge pass, and makes its adaptive link hand out exactly that pass. */
  async createPass(
    accountId: number,
    pass: Omit<BadgePassRow, "attributes"> & { attributes: Attributes },
    platform: "ios" | "android",
    db: Queryable = this.pool,
  ): Promise<BadgePassRow> {
    await db.query(`UPDATE adaptive_links SET ${platform}_pass_id = $2 WHERE id = $1`, [
      pass.adaptive_link_id,
      pass.pass_id,
    ]);
    await db.query("UPDATE passes SET adaptive_link_id = $2 WHERE id = $1", [pass.pass_id, pass.adaptive_link_id]);
    const { rows } = await db.query<BadgePassRow>(
      `INSERT INTO badge_passes (account_id, badge_pass_id, user_id, template_id, pass_id, adaptive_link_id, attributes)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        accountId,
        pass.badge_pass_id,
        pass.user_id,
        pass.template_id,
        pass.pass_id,
        pass.adaptive_link_id,
        JSON.stringify(pass.attributes),
      ],
    );
    return rows[0]!;
  }

  async mergePassAttributes(
    accountId: number,
    badgePassId: string,
    attributes: Attributes,
    db: Queryable = this.pool,
  ): Promise<BadgePassRow> {
    const { rows } = await db.query<BadgePassRow>(
      `UPDATE badge_passes SET attributes = attributes || $3, updated_at = now()
        WHERE account_id = $1 AND badge_pass_id = $2 RETURNING *`,
      [accountId, badgePassId, JSON.stringify(attributes)],
    );
    return rows[0]!;
  }

  /** The user's other Badge passes. */
  async otherPassesOf(
    accountId: number,
    userId: string,
    except: string,
    db: Queryable = this.pool,
  ): Promise<BadgePassRow[]> {
    const { rows } = await db.query<BadgePassRow>(
      "SELECT * FROM badge_passes WHERE account_id = $1 AND user_id = $2 AND badge_pass_id <> $3",
      [accountId, userId, except],
    );
    return rows;
  }
}
