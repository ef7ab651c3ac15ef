// Sends due deliveries: each attempt through the outbound guard (https unless allowlisted, no private addresses,
// connected to the checked address, no redirects), 10 s to answer, with the headers its receiver gives it (a
// callback's configured headers and X-Wallet-Event-Id; a webhook's Standard Webhooks signature), whose event id
// is the same on every retry so a receiver can de-duplicate. Only a 2xx is success; see retry-policy.ts for what
// is retried and when a delivery is dead-lettered.

import type { Clock } from "../clock.js";
import { OutboundError, type OutboundGuard } from "../outbound/guard.js";
import type { Delivery, DeliveryQueue } from "./delivery-store.js";
import { outcomeOf } from "./retry-policy.js";

export const DELIVERY_TIMEOUT_MS = 10_000;
/** A receiver's answer is read up to this size and then dropped (nothing in it is used). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Who a delivery goes to: the headers of one attempt at sending `body`, or why it cannot be sent. */
export type Receiver =
  | {
      kind: "ready";
      /** Where this attempt goes: the receiver's URL as configured now. */
      url(delivery: Delivery): string;
      headers(delivery: Delivery, body: string): Record<string, string>;
      /** Called when the receiver answers 410 Gone (a webhook endpoint is then disabled). */
      gone?(): Promise<void>;
    }
  | { kind: "unavailable"; reason: string };

/** The receiver of a delivery: read once per round for all its due deliveries (keyed by `receiverKey`). */
export type ReceiverOf = (delivery: Delivery) => Promise<Receiver>;

export const receiverKey = (delivery: Delivery) =>
  delivery.endpointId === null ? `callback:${delivery.projectId}` : `webhook:${delivery.endpointId}`;

export interface DispatcherOptions {
  queue: DeliveryQueue;
  guard: OutboundGuard;
  receiverOf: ReceiverOf;
  /** When to retry and when to give up are decided against it. */
  clock: Clock;
  /** Attempts in flight at once. */
  concurrency?: number;
  /** The first retry's delay (tests shorten it). */
  retryBaseMs?: number;
  timeoutMs?: number;
  log?: { warn(msg: string): void };
}

export class DeliveryDispatcher {
  constructor(private readonly options: DispatcherOptions) {}

  /** One round: claims what is due and attempts it; returns how many were attempted. */
  async dispatchDue(): Promise<number> {
    const due = await this.options.queue.claimDue(this.options.concurrency ?? 128);
    // One read (and decryption) of a receiver's configuration per round, however many of its deliveries are due.
    const receivers = new Map<string, Promise<Receiver>>();
    const receiverOf = (delivery: Delivery) => {
      const key = receiverKey(delivery);
      let found = receivers.get(key);
      if (!found) {
        found = this.options.receiverOf(delivery);
        receivers.set(key, found);
      }
      return found;
    };
    const delivered: { id: string; status: number }[] = [];
    await Promise.all(due.map((delivery) => this.attempt(delivery, receiverOf, delivered)));
    await this.options.queue.delivered(delivered);
    return due.length;
  }

  private async attempt(
    delivery: Delivery,
    receiverOf: ReceiverOf,
    delivered: { id: string; status: number }[],
  ): Promise<void> {
    const { queue, guard } = this.options;
    const receiver = await receiverOf(delivery);
    if (receiver.kind === "unavailable") {
      await queue.dead(delivery.id, null, receiver.reason);
      return;
    }
    const body = JSON.stringify(delivery.body);
    let status: number | undefined;
    let retryAfter: string | undefined;
    let error: string | null = null;
    try {
      const answer = await guard.fetch(receiver.url(delivery), {
        method: "POST",
        headers: { ...receiver.headers(delivery, body), "content-type": "application/json" },
        body,
        timeoutMs: this.options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
        maxBytes: MAX_ANSWER_BYTES,
        maxRedirects: 0,
        keepAlive: true,
      });
      status = answer.status;
      const header = answer.headers["retry-after"];
      retryAfter = Array.isArray(header) ? header[0] : header;
    } catch (caught) {
      // The reason (timeout, address refused, …) is kept for the operator; the target's internals are not logged.
      error = caught instanceof OutboundError ? `${caught.reason}: ${caught.message}` : "network: request failed";
    }
    const outcome = outcomeOf(
      status,
      delivery.attempts,
      retryAfter,
      this.options.clock.now(),
      delivery.giveUpAt.getTime(),
      this.options.retryBaseMs,
    );
    if (status === 410 && receiver.gone) await receiver.gone();
    if (outcome.kind === "delivered") delivered.push({ id: delivery.id, status: status! });
    else if (outcome.kind === "retry") await queue.retryLater(delivery.id, outcome.delayMs, status ?? null, error);
    else {
      await queue.dead(delivery.id, status ?? null, error);
      this.options.log?.warn(
        `delivery ${delivery.id} (${delivery.topic}) dead-lettered after ${delivery.attempts} attempt(s): ${status ?? error}`,
      );
    }
  }
}
