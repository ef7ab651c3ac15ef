// Who each delivery goes to, read when it is attempted: a project callback sends its configured headers and
// X-Wallet-Event-Id to the URL fixed when the event was queued; a webhook endpoint signs each attempt (Standard
// Webhooks) and is reached at its current URL, and its receiver answering 410 Gone turns it off.
import type { Delivery } from "./delivery-queue.js";
import type { Receiver, ReceiverOf } from "./dispatcher.js";
import { webhookHeaders, webhookIdOf } from "./webhook-signing.js";

export interface ReceiverSources {
  /** A project's callback headers; undefined when the project has no callback any more. */
  callbackHeaders(projectId: number): Promise<Record<string, string> | undefined>;
  /** A webhook endpoint's URL, state and signing secrets (newest first); undefined when it was deleted. */
  webhookEndpoint(id: string): Promise<{ url: string; enabled: boolean; secrets: string[] } | undefined>;
  disableWebhookEndpoint(id: string, reason: string): Promise<void>;
  /** Now in ms (the webhook-timestamp of each attempt). */
  now(): number;
}

export function receiversOf(sources: ReceiverSources): ReceiverOf {
  return async (delivery: Delivery): Promise<Receiver> => {
    if (delivery.endpointId === null) {
      const headers = delivery.projectId === null ? undefined : await sources.callbackHeaders(delivery.projectId);
      if (!headers) return { kind: "unavailable", reason: "the project's callback was removed" };
      return {
        kind: "ready",
        headers: (d) => ({ ...headers, "x-wallet-event-id": d.eventId }),
      };
    }
    const id = delivery.endpointId;
    const endpoint = await sources.webhookEndpoint(id);
    if (!endpoint) return { kind: "unavailable", reason: "the webhook endpoint was deleted" };
    if (!endpoint.enabled) return { kind: "unavailable", reason: "the webhook endpoint is disabled" };
    return {
      kind: "ready",
      url: endpoint.url,
      headers: (d, body) =>
        webhookHeaders(endpoint.secrets, webhookIdOf(d.eventId), Math.floor(sources.now() / 1000), body),
      gone: () => sources.disableWebhookEndpoint(id, "The receiver answered 410 Gone"),
    };
  };
}
