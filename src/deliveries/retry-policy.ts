// When an outbound delivery is tried again. Only a 2xx is success; network errors, timeouts, 408, 429 and 5xx are
// worth another attempt (exponential backoff with jitter, or the receiver's Retry-After when it says more); any
// other answer will not change by retrying, so the delivery is dead-lettered at once.

/** The first retry waits about this long; each further one doubles it, up to MAX_DELAY_MS. */
export const BASE_DELAY_MS = 10_000;
export const MAX_DELAY_MS = 3_600_000;
/** A delivery not done within this time of its creation (or replay) is dead-lettered. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

export type Outcome = { kind: "delivered" } | { kind: "retry"; delayMs: number } | { kind: "dead" };

/** Whether an answer (or its absence: status undefined) is worth retrying. */
export function isRetryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}

/**
 * The delay before attempt `attempts + 1`: base · 2^(attempts−1), capped, with "equal jitter" (half fixed, half
 * random) so receivers coming back from an outage are not hit by every retry at the same moment. A Retry-After
 * (seconds or an HTTP date) longer than that wins, capped too.
 */
export function retryDelayMs(
  attempts: number,
  retryAfter: string | undefined,
  now: number,
  random: () => number = Math.random,
  baseMs = BASE_DELAY_MS,
): number {
  const exponential = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, attempts - 1));
  const jittered = exponential / 2 + random() * (exponential / 2);
  const asked = retryAfterMs(retryAfter, now);
  return Math.min(MAX_DELAY_MS, Math.max(jittered, asked ?? 0));
}

/** Retry-After as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d{1,10}$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** What to do after an attempt that answered `status` (undefined: no answer). */
export function outcomeOf(
  status: number | undefined,
  attempts: number,
  retryAfter: string | undefined,
  now: number,
  giveUpAt: number,
  baseMs?: number,
): Outcome {
  if (status !== undefined && status >= 200 && status < 300) return { kind: "delivered" };
  if (!isRetryable(status)) return { kind: "dead" };
  const delayMs = retryDelayMs(attempts, retryAfter, now, Math.random, baseMs);
  return now + delayMs > giveUpAt ? { kind: "dead" } : { kind: "retry", delayMs };
}
