// What is retried, how long each retry waits, and when a delivery is given up.
import { describe, expect, it } from "vitest";
import {
  BASE_DELAY_MS,
  isRetryable,
  MAX_DELAY_MS,
  outcomeOf,
  retryAfterMs,
  retryDelayMs,
} from "../../src/deliveries/retry-policy.js";

const now = Date.parse("2026-11-30T12:00:00Z");

describe("the retry policy", () => {
  it("retries only network errors, timeouts, 408, 429 and 5xx", () => {
    for (const status of [undefined, 408, 429, 500, 502, 503, 599]) expect(isRetryable(status), `${status}`).toBe(true);
    for (const status of [301, 302, 400, 401, 403, 404, 410, 422]) expect(isRetryable(status), `${status}`).toBe(false);
    expect(outcomeOf(204, 1, undefined, now, now + 1000)).toEqual({ kind: "delivered" });
    expect(outcomeOf(404, 1, undefined, now, now + 86_400_000)).toEqual({ kind: "dead" });
    expect(outcomeOf(302, 1, undefined, now, now + 86_400_000)).toEqual({ kind: "dead" });
  });

  it("doubles the delay per attempt, with jitter between half and all of it, up to an hour", () => {
    expect(retryDelayMs(1, undefined, now, () => 0)).toBe(BASE_DELAY_MS / 2);
    expect(retryDelayMs(1, undefined, now, () => 1)).toBe(BASE_DELAY_MS);
    expect(retryDelayMs(3, undefined, now, () => 1)).toBe(BASE_DELAY_MS * 4);
    expect(retryDelayMs(30, undefined, now, () => 1)).toBe(MAX_DELAY_MS);
    const spread = new Set(Array.from({ length: 20 }, () => retryDelayMs(4, undefined, now)));
    expect(spread.size).toBeGreaterThan(1);
  });

  it("honours a longer Retry-After, in seconds or as a date, capped at an hour", () => {
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Mon, 30 Nov 2026 12:05:00 GMT", now)).toBe(300_000);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryDelayMs(1, "120", now, () => 1)).toBe(120_000);
    expect(retryDelayMs(1, "1", now, () => 1)).toBe(BASE_DELAY_MS);
    expect(retryDelayMs(1, "999999", now, () => 1)).toBe(MAX_DELAY_MS);
  });

  it("gives up when the next attempt would fall after the deadline", () => {
    expect(outcomeOf(503, 1, undefined, now, now + 86_400_000).kind).toBe("retry");
    expect(outcomeOf(503, 1, "7200", now, now + 1_800_000)).toEqual({ kind: "dead" });
    expect(outcomeOf(undefined, 20, undefined, now, now + 60_000)).toEqual({ kind: "dead" });
  });
});
