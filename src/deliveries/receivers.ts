// Who each delivery goes to, read when it is attempted, URL and credentials from one read of one configuration: a
// project callback's attempt goes to its base URL as configured now (plus the delivery's path) with the headers
// configured now and X-Wallet-Event-Id; a webhook endpoint's to its current URL, signed (Standard Webhooks) with
// its current secrets, and its receiver answering 410 Gone turns it off. A changed target therefore never receives
// the old target's events with the new secrets, nor the old secrets at the new target.
import type { Delivery } from "./delivery-store.js";
import type { Receiver, ReceiverOf } from "./dispatcher.js";
import { webhookHeaders, webhookIdOf } from "./webhook-signing.js";

export interface ReceiverSources {
  /** A project's callback (base URL and headers, read together); undefined when it has none any more. */
  callback(projectId: number): Promise<{ baseUrl: string; headers: Record<string, string> } | undefined>;
  /** A webhook endpoint's URL, state and signing secrets (newest first); undefined when it was deleted. */
  webhookEndpoint(id: string): Promise<{ url: string; enabled: boolean; secrets: string[] } | undefined>;
  disableWebhookEndpoint(id: string, reason: string): Promise<void>;
  /** Now in ms (the webhook-timestamp of each attempt). */
  now(): number;
}

export function receiversOf(sources: ReceiverSources): ReceiverOf {
  return async (delivery: Delivery): Promise<Receiver> => {
    if (delivery.endpointId === null) {
      const callback = delivery.projectId === null ? undefined : await sources.callback(delivery.projectId);
      if (!callback) return { kind: "unavailable", reason: "the project's callback was removed" };
      return {
        kind: "ready",
        // Rows queued before paths were kept carry only their full URL.
        url: (d) => (d.path === null ? d.url : `${callback.baseUrl}${d.path}`),
        headers: (d) => ({ ...callback.headers, "x-wallet-event-id": d.eventId }),
      };
    }
    const id = delivery.endpointId;
    const endpoint = await sources.webhookEndpoint(id);
    if (!endpoint) return { kind: "unavailable", reason: "the webhook endpoint was deleted" };
    if (!endpoint.enabled) return { kind: "unavailable", reason: "the webhook endpoint is disabled" };
    return {
      kind: "ready",
      url: () => endpoint.url,
      headers: (d, body) =>
        webhookHeaders(endpoint.secrets, webhookIdOf(d.eventId), Math.floor(sources.now() / 1000), body),
      gone: () => sources.disableWebhookEndpoint(id, "The receiver answered 410 Gone"),
    };
  };
}
