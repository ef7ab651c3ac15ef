// Badge's v0 RPC API on our store: userPassUpsert (users and their attributes, passes and theirs, one adaptive
// download link per pass) and passSendPushNotification (a message on the holder's phone).
import type pg from "pg";
import { designOf, type PassOverrides } from "../../domain/field-model.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { isObject } from "../../domain/values.js";
import { notFound } from "../../errors.js";
import type { AdaptiveLinkService } from "../v1/adaptive-links/service.js";
import type { PassRepository } from "../v1/passes/repository.js";
import type { PassService } from "../v1/passes/service.js";
import { type Attributes, attributeValues } from "./attributes.js";

export const MAX_MESSAGE = 500;

interface TemplateRow {
  id: number;
  vendor: string;
  design: unknown;
}

interface BadgePassRow {
  badge_pass_id: string;
  user_id: string;
  template_id: number;
  pass_id: number;
  adaptive_link_id: string;
  attributes: Attributes;
}

function attributesOf(raw: unknown, where: string, problems: string[]): Attributes | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isObject(raw)) {
    problems.push(`${where}.attributes must be an object`);
    return undefined;
  }
  for (const [name, value] of Object.entries(raw)) {
    if (!["string", "number", "boolean"].includes(typeof value) || String(value).length > 10_000) {
      problems.push(`${where}.attributes.${name} must be a string, number or boolean`);
    }
  }
  return raw as Attributes;
}

const idOf = (raw: unknown) =>
  (typeof raw === "string" && raw.trim() !== "" && raw.length <= 255) ||
  (typeof raw === "number" && Number.isInteger(raw))
    ? String(raw)
    : undefined;

export class BadgeService {
  constructor(
    private readonly deps: {
      pool: pg.Pool;
      passes: PassService;
      passRepository: PassRepository;
      links: AdaptiveLinkService;
      publicBaseUrl: string;
    },
  ) {}

  private async template(accountId: number, ref: string): Promise<TemplateRow> {
    const { rows } = await this.deps.pool.query<TemplateRow>(
      `SELECT id, vendor, design FROM templates WHERE account_id = $1
         AND (external_id = $2 OR ($2 ~ '^[0-9]{1,9}$' AND id = $2::int))
       ORDER BY (external_id = $2) DESC LIMIT 1`,
      [accountId, ref],
    );
    if (!rows[0]) throw notFound("Template", `Pass template "${ref}"`);
    return rows[0];
  }

  /** The pass values of one Badge pass, from its template, its user's and its own attributes. */
  private values(template: TemplateRow, user: Attributes, pass: Attributes) {
    return attributeValues(designOf(template), user, pass);
  }

  async userPassUpsert(accountId: number, body: unknown) {
    if (!isObject(body)) throw new InvalidInput(["The request must be a JSON object"]);
    const problems: string[] = [];
    const templateRef = idOf(body.passTemplateId);
    if (!templateRef) problems.push("passTemplateId is required: our template id or its external id");
    const user = isObject(body.user) ? body.user : undefined;
    const userId = idOf(user?.id);
    if (!userId) problems.push("user.id is required");
    if (user?.email !== undefined && (typeof user.email !== "string" || user.email.length > 320))
      problems.push("user.email must be a string");
    const userAttributes = attributesOf(user?.attributes, "user", problems);
    const pass =
      body.pass === undefined || body.pass === null ? undefined : isObject(body.pass) ? body.pass : undefined;
    if (body.pass !== undefined && body.pass !== null && !pass) problems.push("pass must be an object");
    const passId = pass ? idOf(pass.id) : undefined;
    if (pass && !passId) problems.push("pass.id is required when pass is given");
    const passAttributes = attributesOf(pass?.attributes, "pass", problems);
    if (problems.length) throw new InvalidInput(problems);

    const template = await this.template(accountId, templateRef!);
    const { rows: users } = await this.deps.pool.query<{ attributes: Attributes; before: Attributes }>(
      `INSERT INTO badge_users (account_id, user_id, email, attributes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (account_id, user_id) DO UPDATE SET attributes = badge_users.attributes || EXCLUDED.attributes,
         email = COALESCE(EXCLUDED.email, badge_users.email), updated_at = now()
       RETURNING attributes, (SELECT attributes FROM badge_users WHERE account_id = $1 AND user_id = $2) AS before`,
      [accountId, userId, (user?.email as string | undefined) ?? null, JSON.stringify(userAttributes ?? {})],
    );
    const userNow = users[0]!.attributes;
    const userChanged = JSON.stringify(users[0]!.before ?? {}) !== JSON.stringify(userNow);
    const badgePassId = passId ?? `${userId}:${template.id}`;

    const { rows: existing } = await this.deps.pool.query<BadgePassRow>(
      "SELECT * FROM badge_passes WHERE account_id = $1 AND badge_pass_id = $2",
      [accountId, badgePassId],
    );
    let row = existing[0];
    if (row && row.user_id !== userId) throw new InvalidInput([`pass ${badgePassId} belongs to another user`]);
    if (!row) {
      const ownAttributes = passAttributes ?? {};
      const created = await this.deps.passes.create(
        accountId,
        { id: template.id },
        this.values(template, userNow, ownAttributes),
        badgePassId,
      );
      const platform = template.vendor === "Apple" ? "ios" : "android";
      const link = await this.deps.links.create(accountId, { [`${platform}TemplateId`]: template.id });
      // The link hands out exactly this pass.
      await this.deps.pool.query(`UPDATE adaptive_links SET ${platform}_pass_id = $2 WHERE id = $1`, [
        link.adaptiveLinkId,
        created.id,
      ]);
      await this.deps.pool.query("UPDATE passes SET adaptive_link_id = $2 WHERE id = $1", [
        created.id,
        link.adaptiveLinkId,
      ]);
      const inserted = await this.deps.pool.query<BadgePassRow>(
        `INSERT INTO badge_passes (account_id, badge_pass_id, user_id, template_id, pass_id, adaptive_link_id, attributes)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [accountId, badgePassId, userId, template.id, created.id, link.adaptiveLinkId, JSON.stringify(ownAttributes)],
      );
      row = inserted.rows[0]!;
    } else if (passAttributes) {
      const updated = await this.deps.pool.query<BadgePassRow>(
        `UPDATE badge_passes SET attributes = attributes || $3, updated_at = now()
          WHERE account_id = $1 AND badge_pass_id = $2 RETURNING *`,
        [accountId, badgePassId, JSON.stringify(passAttributes)],
      );
      row = updated.rows[0]!;
      await this.refresh(accountId, row, userNow);
    }
    // A user attribute reaches every pass of the user.
    if (userChanged) {
      const { rows: others } = await this.deps.pool.query<BadgePassRow>(
        "SELECT * FROM badge_passes WHERE account_id = $1 AND user_id = $2 AND badge_pass_id <> $3",
        [accountId, userId, row.badge_pass_id],
      );
      for (const other of others) await this.refresh(accountId, other, userNow);
      if (existing[0] && !passAttributes) await this.refresh(accountId, row, userNow);
    }
    return {
      pass: {
        id: row.badge_pass_id,
        downloadUrl: `${this.deps.publicBaseUrl}/v1/pass/adaptive/${row.adaptive_link_id}`,
      },
    };
  }

  /** Re-applies a Badge pass's attribute values; a change is a normal pass update (APNs / Google follow). */
  private async refresh(accountId: number, row: BadgePassRow, user: Attributes) {
    const { rows } = await this.deps.pool.query<TemplateRow>("SELECT id, vendor, design FROM templates WHERE id = $1", [
      row.template_id,
    ]);
    if (!rows[0]) return;
    const values = this.values(rows[0], user, row.attributes);
    const current = (await this.deps.passRepository.findById(accountId, row.pass_id))?.overrides as
      | PassOverrides
      | undefined;
    const same = (group: "headers" | "fields") =>
      Object.entries(values[group]).every(([name, v]) => current?.[group]?.[name]?.value === v.value);
    if (same("headers") && same("fields")) return;
    await this.deps.passes.update(accountId, { id: row.pass_id }, values);
  }

  async sendPushNotification(accountId: number, body: unknown) {
    if (!isObject(body)) throw new InvalidInput(["The request must be a JSON object"]);
    const passId = idOf(body.passId);
    const message = body.message;
    const problems: string[] = [];
    if (!passId) problems.push("passId is required");
    if (typeof message !== "string" || message.trim() === "") problems.push("message is required: a non-empty string");
    else if (message.length > MAX_MESSAGE) problems.push(`message is longer than ${MAX_MESSAGE} characters`);
    if (problems.length) throw new InvalidInput(problems);
    const { rows } = await this.deps.pool.query<BadgePassRow & { vendor: string }>(
      `SELECT b.*, t.vendor FROM badge_passes b JOIN templates t ON t.id = b.template_id
        WHERE b.account_id = $1 AND b.badge_pass_id = $2`,
      [accountId, passId],
    );
    const row = rows[0];
    if (!row) throw notFound("Pass", `Pass "${passId}"`);
    const pass = await this.deps.passRepository.findById(accountId, row.pass_id);
    if (!pass) throw notFound("Pass", `Pass "${passId}"`);
    // The message becomes a field whose change Wallet announces: a back field (Apple, "%@" shows the new value) or
    // a text module that Google Wallet notifies about.
    const overrides = pass.overrides as PassOverrides;
    const field = {
      value: message as string,
      label: "Message",
      changeMessage: "%@",
      fieldType: row.vendor === "Apple" ? "back" : "textModulesData",
    };
    const ticketId = await this.deps.passRepository.update(
      accountId,
      pass.id,
      { overrides: { ...overrides, fields: { ...(overrides.fields ?? {}), badge_message: field } } },
      ["notified"],
    );
    return { pass: { id: row.badge_pass_id }, ticketId };
  }
}
