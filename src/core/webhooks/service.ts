// The rules of Badge webhook endpoints: an https URL that passes the outbound guard (checked again at every
// delivery), the topics it hears, on or off; the signing secret is answered only when it is made (create, rotate).
import { randomBytes } from "node:crypto";
import { WEBHOOK_TOPICS } from "../../deliveries/webhook-event-store.js";
import { newWebhookSecret } from "../../deliveries/webhook-signing.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { isObject } from "../../domain/values.js";
import { AppError, notFound } from "../../errors.js";
import type { OutboundGuard } from "../../outbound/guard.js";
import { checkReceiverUrl } from "../../outbound/receiver-url.js";
import type { EndpointChanges, WebhookEndpoint, WebhookEndpointRepository } from "./repository.js";

export const MAX_ENDPOINTS = 20;
export const MAX_URL_LENGTH = 2048;
/** After a rotation the previous secret keeps signing for this long, so receivers can switch without a gap. */
export const ROTATION_GRACE_MS = 24 * 3_600_000;
const ENDPOINT_ID = /^ep_[A-Za-z0-9_-]{1,64}$/;

export class WebhookEndpointService {
  constructor(
    private readonly endpoints: WebhookEndpointRepository,
    private readonly guard: OutboundGuard,
  ) {}

  async create(accountId: number, body: unknown) {
    const changes = checkBody(body, true);
    await checkReceiverUrl(this.guard, changes.url!, "url", "WEBHOOK_TARGET_REFUSED");
    const secret = newWebhookSecret();
    const created = await this.endpoints.create(
      accountId,
      `ep_${randomBytes(18).toString("base64url")}`,
      {
        url: changes.url!,
        enabledTopics: changes.enabledTopics ?? [...WEBHOOK_TOPICS],
        enabled: changes.enabled ?? true,
      },
      secret,
      MAX_ENDPOINTS,
    );
    if (!created) {
      throw new AppError("WEBHOOK_ENDPOINT_LIMIT", `An account can have at most ${MAX_ENDPOINTS} webhook endpoints`);
    }
    return { ...response(created), secret };
  }

  async list(accountId: number) {
    return { data: (await this.endpoints.list(accountId)).map(response) };
  }

  async get(accountId: number, id: string) {
    return response(await this.found(this.endpoints.get(accountId, checkId(id))));
  }

  async update(accountId: number, id: string, body: unknown) {
    const endpointId = checkId(id);
    const changes = checkBody(body, false);
    await this.found(this.endpoints.get(accountId, endpointId));
    if (changes.url !== undefined) {
      await checkReceiverUrl(this.guard, changes.url, "url", "WEBHOOK_TARGET_REFUSED");
    }
    return response(await this.found(this.endpoints.update(accountId, endpointId, changes)));
  }

  async delete(accountId: number, id: string) {
    const endpointId = checkId(id);
    if (!(await this.endpoints.delete(accountId, endpointId))) throw notFound("Webhook endpoint");
    return { id: endpointId, deleted: true };
  }

  async rotateSecret(accountId: number, id: string) {
    const secret = newWebhookSecret();
    const rotated = await this.found(this.endpoints.rotate(accountId, checkId(id), secret, ROTATION_GRACE_MS));
    return { ...response(rotated), secret };
  }

  private async found(endpoint: Promise<WebhookEndpoint | undefined>): Promise<WebhookEndpoint> {
    const found = await endpoint;
    if (!found) throw notFound("Webhook endpoint");
    return found;
  }
}

/** An id that cannot be an endpoint's is simply not found (never a database error). */
function checkId(id: string): string {
  if (!ENDPOINT_ID.test(id)) throw notFound("Webhook endpoint");
  return id;
}

function checkBody(body: unknown, creating: boolean): EndpointChanges {
  if (!isObject(body)) throw new InvalidInput(["The request must be a JSON object"]);
  const problems: string[] = [];
  const changes: EndpointChanges = {};
  const { url, enabledTopics, enabled } = body;
  if (url === undefined) {
    if (creating) problems.push("url is required (an https URL)");
  } else if (typeof url !== "string" || url.length === 0) problems.push("url must be a non-empty string");
  else if (url.length > MAX_URL_LENGTH) problems.push(`url is longer than ${MAX_URL_LENGTH} characters`);
  else changes.url = url;
  if (enabledTopics !== undefined) {
    if (!Array.isArray(enabledTopics) || enabledTopics.length === 0) {
      problems.push(`enabledTopics must be a non-empty list of: ${WEBHOOK_TOPICS.join(", ")}`);
    } else {
      const unknown = enabledTopics.filter((t) => !(WEBHOOK_TOPICS as readonly unknown[]).includes(t));
      if (unknown.length > 0) {
        const named = unknown.slice(0, 5).map((t) => JSON.stringify(t).slice(0, 64));
        problems.push(`enabledTopics has unknown topics ${named.join(", ")}; known: ${WEBHOOK_TOPICS.join(", ")}`);
      } else changes.enabledTopics = WEBHOOK_TOPICS.filter((t) => enabledTopics.includes(t));
    }
  }
  if (enabled !== undefined) {
    if (typeof enabled !== "boolean") problems.push("enabled must be true or false");
    else changes.enabled = enabled;
  }
  if (problems.length > 0) throw new InvalidInput(problems);
  return changes;
}

function response(endpoint: WebhookEndpoint) {
  return {
    id: endpoint.id,
    url: endpoint.url,
    enabledTopics: endpoint.enabledTopics,
    enabled: endpoint.enabled,
    ...(endpoint.disabledReason ? { disabledReason: endpoint.disabledReason } : {}),
    createdAt: endpoint.createdAt.toISOString(),
    updatedAt: endpoint.updatedAt.toISOString(),
  };
}
