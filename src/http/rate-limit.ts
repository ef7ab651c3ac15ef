// Fixed-window rate limits for anonymous routes, kept in this process's memory (several processes each keep
// their own count: the limits are per process). Memory is bounded: past `maxKeys` keys, expired windows are
// dropped, and if none are, the oldest keys go.
import { AppError } from "../errors.js";

export interface RateLimit {
  /** Requests allowed per window. */
  limit: number;
  windowMs: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly rule: RateLimit,
    private readonly maxKeys = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one request for `key`; returns 0 when allowed, else the seconds until the window resets. */
  hit(key: string): number {
    const now = this.now();
    let window = this.windows.get(key);
    if (!window || window.resetAt <= now) {
      if (!window && this.windows.size >= this.maxKeys) this.evict(now);
      window = { count: 0, resetAt: now + this.rule.windowMs };
      this.windows.set(key, window);
    }
    window.count++;
    return window.count > this.rule.limit ? Math.max(1, Math.ceil((window.resetAt - now) / 1000)) : 0;
  }

  /** The seconds until `key` may go again when it is over its limit (0 when not), without counting a request. */
  waitFor(key: string): number {
    const window = this.windows.get(key);
    const now = this.now();
    if (!window || window.resetAt <= now || window.count < this.rule.limit) return 0;
    return Math.max(1, Math.ceil((window.resetAt - now) / 1000));
  }

  private evict(now: number) {
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
    const excess = this.windows.size - Math.floor(this.maxKeys * 0.9);
    if (excess <= 0) return;
    let removed = 0;
    for (const key of this.windows.keys()) {
      if (removed++ >= excess) break;
      this.windows.delete(key);
    }
  }
}

/** A 429 carrying the seconds to wait (the error handler sends them as Retry-After). */
export class TooManyRequests extends AppError {
  constructor(
    readonly retryAfterSeconds: number,
    what: string,
  ) {
    super("RATE_LIMITED", `Too many ${what}; retry in ${retryAfterSeconds} s`);
  }
}

/** Counts the request against each limiter; throws TooManyRequests for the first that is exceeded. */
export function enforce(what: string, ...checks: [RateLimiter, string][]): void {
  for (const [limiter, key] of checks) {
    const wait = limiter.hit(key);
    if (wait > 0) throw new TooManyRequests(wait, what);
  }
}
