// Sends due deliveries: each attempt through the outbound guard (https unless allowlisted, no private addresses,
// connected to the checked address, no redirects), 10 s to answer, the receiver's configured headers plus
// X-Wallet-Event-Id (the same on every retry) so a receiver can de-duplicate. Only a 2xx is success; see
// retry-policy.ts for what is retried and when a delivery is dead-lettered.
import { OutboundError, type OutboundGuard } from "../outbound/guard.js";
import type { Delivery, DeliveryQueue } from "./delivery-queue.js";
import { outcomeOf } from "./retry-policy.js";

export const DELIVERY_TIMEOUT_MS = 10_000;
/** A receiver's answer is read up to this size and then dropped (nothing in it is used). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** The headers a delivery is sent with (a callback's configured ones); undefined when its target is gone. */
export type HeadersOf = (delivery: Delivery) => Promise<Record<string, string> | undefined>;

export interface DispatcherOptions {
  queue: DeliveryQueue;
  guard: OutboundGuard;
  headersOf: HeadersOf;
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
    // One read (and decryption) of a receiver's headers per round, however many of its deliveries are due.
    const headers = new Map<string, Promise<Record<string, string> | undefined>>();
    const headersOf = (delivery: Delivery) => {
      const key = `${delivery.topic.split(".")[0]}:${delivery.projectId}`;
      let found = headers.get(key);
      if (!found) {
        found = this.options.headersOf(delivery);
        headers.set(key, found);
      }
      return found;
    };
    const delivered: { id: string; status: number }[] = [];
    await Promise.all(due.map((delivery) => this.attempt(delivery, headersOf, delivered)));
    await this.options.queue.delivered(delivered);
    return due.length;
  }

  private async attempt(
    delivery: Delivery,
    headersOf: HeadersOf,
    delivered: { id: string; status: number }[],
  ): Promise<void> {
    const { queue, guard } = this.options;
    const headers = await headersOf(delivery);
    if (headers === undefined) {
      await queue.dead(delivery.id, null, "the receiver's configuration was removed");
      return;
    }
    let status: number | undefined;
    let retryAfter: string | undefined;
    let error: string | null = null;
    try {
      const answer = await guard.fetch(delivery.url, {
        method: "POST",
        headers: {
          ...headers,
          "content-type": "application/json",
          "x-wallet-event-id": delivery.eventId,
        },
        body: JSON.stringify(delivery.body),
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
      Date.now(),
      delivery.giveUpAt.getTime(),
      this.options.retryBaseMs,
    );
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
