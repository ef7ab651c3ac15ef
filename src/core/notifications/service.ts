// Pass notifications: a message shown on the holder's phone — on a pass, on every pass of a template, or on every
// pass carrying a tag. The message lands in one field whose change Wallet announces ("%@"), so Apple passes get it
// through the pass-changed → APNs path and Google passes as a notifying message (at most three a day per pass; the
// Google delivery adds later ones without notifying).
import { InvalidInput } from "../../domain/invalid-input.js";
import { isObject } from "../../domain/values.js";
import { notFound } from "../../errors.js";
import type { Key } from "../ids.js";
import type { PassKey, PassService } from "../passes/service.js";
import type { TagRepository } from "../tags/repository.js";
import type { TemplateService } from "../templates/service.js";
import type { NotificationRepository } from "./repository.js";

/** Longest notification text. */
export const MAX_NOTIFICATION = 500;
const DEFAULT_LABEL = "Last Notification";

export type NotifyScope = { pass: PassKey } | { template: Key } | { tag: string };

export class NotificationService {
  constructor(
    private readonly notifications: NotificationRepository,
    private readonly passes: Pick<PassService, "find">,
    private readonly templates: Pick<TemplateService, "require">,
    private readonly tags: Pick<TagRepository, "find">,
  ) {}

  /** The message of a notify request: a non-empty value of at most 500 characters, and an optional label. */
  messageOf(body: unknown): { value: string; label: string } {
    if (!isObject(body)) throw new InvalidInput(["The notification must be a JSON object with a value"]);
    const problems: string[] = [];
    const { value, label } = body;
    if (typeof value !== "string" || value.trim() === "") problems.push("value is required: a non-empty string");
    else if (value.length > MAX_NOTIFICATION) problems.push(`value is longer than ${MAX_NOTIFICATION} characters`);
    if (label !== undefined && label !== null && (typeof label !== "string" || label.length > 100)) {
      problems.push("label must be a string of at most 100 characters");
    }
    if (problems.length) throw new InvalidInput(problems);
    return { value: value as string, label: typeof label === "string" && label.trim() ? label : DEFAULT_LABEL };
  }

  private async target(accountId: number, scope: NotifyScope) {
    if ("pass" in scope) return { passId: (await this.passes.find(accountId, scope.pass)).id };
    if ("template" in scope) return { templateId: (await this.templates.require(accountId, scope.template)).id };
    const tag = await this.tags.find(accountId, scope.tag);
    if (!tag) throw notFound("Tag", `Tag "${scope.tag}"`);
    return { tagId: tag.id };
  }

  /** Shows the message on the chosen passes; answers the ticket. */
  async notify(accountId: number, scope: NotifyScope, body: unknown): Promise<{ ticketId: number }> {
    const message = this.messageOf(body);
    const { ticketId } = await this.notifications.apply(accountId, await this.target(accountId, scope), message);
    return { ticketId };
  }

  /** Clears the message from the chosen passes. */
  async clear(accountId: number, scope: NotifyScope): Promise<{ ticketId: number }> {
    const { ticketId } = await this.notifications.apply(accountId, await this.target(accountId, scope), null);
    return { ticketId };
  }
}
