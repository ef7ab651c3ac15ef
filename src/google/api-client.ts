// A thin typed client of the Google Wallet REST API (walletobjects v1): insert, patch and addMessage for classes
// and objects, with OAuth 2.0 service-account tokens (RFC 7523 JWT bearer grant, posted to Google's token endpoint —
// GOOGLE_TOKEN_URL — never to a URL a key file names),
// and retries with backoff for 429, 5xx, timeouts and network errors (honouring Retry-After). Other 4xx answers
// are not retried: they name what Google rejected.
import { sign } from "node:crypto";
import { googleRequests } from "../observability/counters.js";
import { GOOGLE_TOKEN_URL, type GoogleIssuer } from "./credentials.js";

export const WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer";

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
}

const base64url = (value: object | Buffer) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value))).toString("base64url");

/** An RS256 JWT signed with the issuer's service-account key. */
export function signJwt(issuer: GoogleIssuer, claims: object): string {
  const head = `${base64url({ alg: "RS256", typ: "JWT", ...(issuer.privateKeyId ? { kid: issuer.privateKeyId } : {}) })}.${base64url(claims)}`;
  return `${head}.${base64url(sign("sha256", Buffer.from(head), issuer.privateKey))}`;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds a Retry-After header asks for (seconds or an HTTP date), if any. */
function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
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
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly tokenUrl: string;
  /** Requests sent (for the benchmark's count of API calls). */
  calls = 0;

  constructor(private readonly options: GoogleClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.attempts = options.attempts ?? 5;
    this.backoffMs = options.backoffMs ?? 500;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.tokenUrl = options.tokenUrl ?? GOOGLE_TOKEN_URL;
  }

  /** Fetches an access token for the issuer now (cli doctor's check that Google accepts its key). */
  async checkCredentials(issuer: GoogleIssuer): Promise<void> {
    this.tokens.delete(issuer.key);
    await this.accessToken(issuer);
  }

  /** An access token for the issuer's service account, reused until a minute before it expires. */
  private async accessToken(issuer: GoogleIssuer): Promise<string> {
    const cached = this.tokens.get(issuer.key);
    if (cached && cached.expiresAt > Date.now() + 60_000) return cached.value;
    const now = Math.floor(Date.now() / 1000);
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
    this.tokens.set(issuer.key, { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 });
    return body.access_token;
  }

  private async fetchWithRetry(url: string, init: RequestInit): Promise<Response> {
    for (let attempt = 1; ; attempt++) {
      let response: Response | undefined;
      try {
        response = await fetch(url, { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
        googleRequests.inc({ status: String(response.status) });
      } catch (error) {
        googleRequests.inc({ status: "0" });
        if (attempt >= this.attempts)
          throw new GoogleApiError(0, `Google Wallet API unreachable: ${(error as Error).message}`);
      }
      if (response && response.status !== 429 && response.status < 500) return response;
      if (response && attempt >= this.attempts) return response;
      const asked = retryAfterMs(response?.headers.get("retry-after") ?? null);
      await response?.body?.cancel();
      const backoff = this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2);
      await sleep(Math.min(asked ?? backoff, this.maxRetryAfterMs));
    }
  }

  private async call(issuer: GoogleIssuer, method: string, path: string, body?: unknown): Promise<unknown> {
    const token = await this.accessToken(issuer);
    this.calls++;
    const response = await this.fetchWithRetry(`${this.options.baseUrl}/walletobjects/v1/${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) {
      let message = text.slice(0, 500);
      try {
        message = (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? message;
      } catch {}
      throw new GoogleApiError(
        response.status,
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
