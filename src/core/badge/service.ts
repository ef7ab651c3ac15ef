// Badge's v0 RPC API on our store: userPassUpsert (users and their attributes, passes and theirs, one adaptive
// download link per pass) and passSendPushNotification (a message on the holder's phone).
import { designOf, type PassOverrides } from "../../domain/field-model.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { isObject } from "../../domain/values.js";
import { traitsOf } from "../../domain/vendors.js";
import { notFound } from "../../errors.js";
import type { AdaptiveLinkService } from "../adaptive-links/service.js";
import type { NotificationService } from "../notifications/service.js";
import type { PassRepository } from "../passes/repository.js";
import type { PassService } from "../passes/service.js";
import { type Attributes, attributeValues } from "./attributes.js";
import type { BadgePassRow, BadgeRepository, BadgeTemplateRow as TemplateRow } from "./repository.js";

export const MAX_MESSAGE = 500;

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
      badge: BadgeRepository;
      passes: PassService;
      passRepository: PassRepository;
      links: AdaptiveLinkService;
      notifications: Pick<NotificationService, "notify">;
      publicBaseUrl: string;
    },
  ) {}

  private async template(accountId: number, ref: string): Promise<TemplateRow> {
    const template = await this.deps.badge.template(accountId, ref);
    if (!template) throw notFound("Template", `Pass template "${ref}"`);
    return template;
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
    const stored = await this.deps.badge.upsertUser(
      accountId,
      userId!,
      (user?.email as string | undefined) ?? null,
      userAttributes ?? {},
    );
    const userNow = stored.attributes;
    const userChanged = JSON.stringify(stored.before ?? {}) !== JSON.stringify(userNow);
    const badgePassId = passId ?? `${userId}:${template.id}`;

    const existing = await this.deps.badge.pass(accountId, badgePassId);
    let row: BadgePassRow | undefined = existing;
    if (row && row.user_id !== userId) throw new InvalidInput([`pass ${badgePassId} belongs to another user`]);
    if (!row) {
      const ownAttributes = passAttributes ?? {};
      const created = await this.deps.passes.create(
        accountId,
        { id: template.id },
        this.values(template, userNow, ownAttributes),
        badgePassId,
      );
      const platform = traitsOf(template.vendor).platform;
      const link = await this.deps.links.create(accountId, { [`${platform}TemplateId`]: template.id });
      row = await this.deps.badge.createPass(
        accountId,
        {
          badge_pass_id: badgePassId,
          user_id: userId!,
          template_id: template.id,
          pass_id: created.id,
          adaptive_link_id: link.adaptiveLinkId,
          attributes: ownAttributes,
        },
        platform,
      );
    } else if (passAttributes) {
      row = await this.deps.badge.mergePassAttributes(accountId, badgePassId, passAttributes);
      await this.refresh(accountId, row, userNow);
    }
    // A user attribute reaches every pass of the user.
    if (userChanged) {
      for (const other of await this.deps.badge.otherPassesOf(accountId, userId!, row.badge_pass_id)) {
        await this.refresh(accountId, other, userNow);
      }
      if (existing && !passAttributes) await this.refresh(accountId, row, userNow);
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
    const template = await this.deps.badge.templateById(row.template_id);
    if (!template) return;
    const values = this.values(template, user, row.attributes);
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
    const row = await this.deps.badge.pass(accountId, passId!);
    if (!row) throw notFound("Pass", `Pass "${passId}"`);
    // The same notification as POST /v1/pass/{id}/notify: a field Wallet announces, a Google message.
    const { ticketId } = await this.deps.notifications.notify(
      accountId,
      { pass: { id: row.pass_id } },
      { value: message, label: "Message" },
    );
    return { pass: { id: row.badge_pass_id }, ticketId };
  }
}
