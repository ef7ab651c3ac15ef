// A thin typed client of the Google Wallet REST API (walletobjects v1): insert, patch and addMessage for classes
// and objects, with OAuth 2.0 service-account tokens (RFC 7523 JWT bearer grant, posted to Google's token endpoint —
// GOOGLE_TOKEN_URL — never to a URL a key file names; one fetch at a time per credential, reused until near its
// expiry). Every API call waits for its slot in the shared pacing (rate-gate.ts); 429 and RESOURCE_EXHAUSTED pause
// the whole bucket (Retry-After honoured, else exponential backoff with jitter) and are retried, as are 5xx,
// timeouts and network errors. Other 4xx answers are not retried: they name what Google rejected.
import { sign } from "node:crypto";
import { type Clock, systemClock } from "../clock.js";
import { GOOGLE_TOKEN_URL } from "../config.js";
import { googleRequests } from "../observability/counters.js";
import type { GoogleIssuer } from "./credentials.js";
import { WALLET_SCOPE } from "./keyless.js";
import { quotaBucketOf, type RateGate, UNPACED } from "./rate-gate.js";

export class GoogleApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "GoogleApiError";
  }
}

export interface GoogleClientOptions {
  /** Default https://walletobjects.googleapis.com */
  baseUrl: string;
  /** The OAuth token endpoint (default Google's). */
  tokenUrl?: string;
  timeoutMs?: number;
  attempts?: number;
  backoffMs?: number;
  /** Longest wait a Retry-After may ask for. */
  maxRetryAfterMs?: number;
  /** The pacing every API call waits for (default none). */
  gate?: RateGate;
  /** Access tokens' lifetimes and Retry-After dates are read against it (default the system's). */
  clock?: Clock;
}

/** Google's quota answer: HTTP 429, or an error whose status is RESOURCE_EXHAUSTED (some APIs send it with 403). */
function exhausted(status: number, text: string): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  try {
    const error = (JSON.parse(text) as { error?: { status?: string; errors?: { reason?: string }[] } }).error;
    return (
      error?.status === "RESOURCE_EXHAUSTED" || (error?.errors ?? []).some((e) => e.reason === "rateLimitExceeded")
    );
  } catch {
    return false;
  }
}

const base64url = (value: object | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");

/** The encoded JOSE header of the issuer's RS256 JWTs. */
export const jwtHeader = (issuer: GoogleIssuer): string =>
  base64url({ alg: "RS256", typ: "JWT", ...(issuer.privateKeyId ? { kid: issuer.privateKeyId } : {}) });

/** An RS256 JWT signed with the issuer's service-account key. */
export function signJwt(issuer: GoogleIssuer, claims: object): string {
  if (!issuer.privateKey) throw new Error(`Google issuer ${issuer.issuerId} has no key to sign with (keyless)`);
  const head = `${jwtHeader(issuer)}.${base64url(claims)}`;
  return `${head}.${base64url(sign("sha256", Buffer.from(head), issuer.privateKey))}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), if any. */
function retryAfterMs(header: string | null, now: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}

export type WalletResource =
  | "loyaltyClass"
  | "loyaltyObject"
  | "offerClass"
  | "offerObject"
  | "giftCardClass"
  | "giftCardObject"
  | "eventTicketClass"
  | "eventTicketObject"
  | "flightClass"
  | "flightObject"
  | "genericClass"
  | "genericObject";

export class GoogleWalletClient {
  private readonly tokens = new Map<string, { value: string; expiresAt: number }>();
  /** Token fetches in flight: concurrent first calls share one. */
  private readonly fetching = new Map<string, Promise<string>>();
  private readonly gate: RateGate;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly tokenUrl: string;
  /** Requests sent (for the benchmark's count of API calls). */
  calls = 0;

  private readonly now = () => (this.options.clock ?? systemClock).now();

  constructor(private readonly options: GoogleClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.attempts = options.attempts ?? 5;
    this.backoffMs = options.backoffMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.tokenUrl = options.tokenUrl ?? GOOGLE_TOKEN_URL;
    this.gate = options.gate ?? UNPACED;
  }

  /** Fetches an access token for the issuer now (cli doctor's check that Google accepts its key). */
  async checkCredentials(issuer: GoogleIssuer): Promise<void> {
    this.tokens.delete(issuer.key);
    await this.accessToken(issuer);
  }

  /** An access token for the issuer's service account, reused until a minute before it expires. */
  private accessToken(issuer: GoogleIssuer): Promise<string> {
    if (issuer.keyless) return issuer.keyless.accessToken();
    const cached = this.tokens.get(issuer.key);
    if (cached && cached.expiresAt > this.now() + 60_000) return Promise.resolve(cached.value);
    let pending = this.fetching.get(issuer.key);
    if (!pending) {
      pending = this.fetchToken(issuer).finally(() => this.fetching.delete(issuer.key));
      this.fetching.set(issuer.key, pending);
    }
    return pending;
  }

  private async fetchToken(issuer: GoogleIssuer): Promise<string> {
    const now = Math.floor(this.now() / 1000);
    const assertion = signJwt(issuer, {
      iss: issuer.clientEmail,
      scope: WALLET_SCOPE,
      aud: this.tokenUrl,
      iat: now,
      exp: now + 3600,
    });
    const response = await this.fetchWithRetry(this.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!response.ok || !body.access_token) {
      throw new GoogleApiError(response.status, `Google OAuth token request failed (HTTP ${response.status})`);
    }
    this.tokens.set(issuer.key, { value: body.access_token, expiresAt: this.now() + (body.expires_in ?? 3600) * 1000 });
    return body.access_token;
  }

  /** A request, retried on 5xx, timeouts and network errors; with a bucket, paced and retried on quota answers. */
  private async fetchWithRetry(url: string, init: RequestInit, bucket?: string): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      if (bucket !== undefined) await this.gate.take(bucket);
      let response: Response | undefined;
      try {
        response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
      } catch (error) {
        googleRequests.inc({ status: "0" });
        if (attempt >= this.attempts)
          throw new GoogleApiError(0, `Google Wallet API unreachable: ${(error as Error).message}`);
      }
      let quota = false;
      if (response) {
        googleRequests.inc({ status: String(response.status) });
        if (response.status === 403 || response.status === 429) {
          // Read it to tell a quota answer from a refusal, and hand the text on.
          const text = await response.text();
          quota = exhausted(response.status, text);
          const copy = new Response(text, { status: response.status, headers: response.headers });
          if (!quota || attempt >= this.attempts) return copy;
          response = copy;
        } else if (response.status < 500 || attempt >= this.attempts) {
          return response;
        }
      }
      const asked = retryAfterMs(response?.headers.get("retry-after") ?? null, this.now());
      await response?.body?.cancel();
      const backoff = this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
      const wait = Math.min(asked ?? backoff, this.maxRetryAfterMs);
      // Over quota: every process of this bucket waits, not only this call.
      if (quota && bucket !== undefined) await this.gate.pause(bucket, wait);
      await sleep(wait);
    }
  }

  private async call(issuer: GoogleIssuer, method: string, path: string, body?: unknown): Promise<unknown> {
    const token = await this.accessToken(issuer);
    this.calls++;
    const response = await this.fetchWithRetry(
      `${this.options.baseUrl}/walletobjects/v1/${path}`,
      {
        method,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      },
      quotaBucketOf(issuer.clientEmail),
    );
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {}
      // A quota answer is reported as 429 whatever its status, so callers retry it instead of recording a refusal.
      throw new GoogleApiError(
        exhausted(response.status, text) ? 429 : response.status,
        `Google Wallet API ${method} ${path}: HTTP ${response.status}: ${message}`,
      );
    }
    return text ? JSON.parse(text) : {};
  }

  insert(issuer: GoogleIssuer, resource: WalletResource, body: object) {
    return this.call(issuer, "POST", resource, body);
  }

  patch(issuer: GoogleIssuer, resource: WalletResource, id: string, body: object) {
    return this.call(issuer, "PATCH", `${resource}/${encodeURIComponent(id)}`, body);
  }

  addMessage(issuer: GoogleIssuer, resource: WalletResource, id: string, message: object) {
    return this.call(issuer, "POST", `${resource}/${encodeURIComponent(id)}/addMessage`, { message });
  }
}
