// OAuth 2.0 access tokens (client credentials): issued to an API key for some of its scopes, optionally only for
// some client addresses, for an hour. A token is a JWT signed with HMAC-SHA256 by a server key (kid in its
// header); keys live sealed in token_signing_keys and are cached in memory, so verifying a token reads nothing from
// the database once its key is known. `cli tokens rotate-key` makes a new signing key; keys superseded for longer
// than a token lives are retired (their tokens had expired anyway).
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { BlockList, isIP } from "node:net";
import type { Queryable } from "../db/queryable.js";
import type { SecretBox } from "../secrets/encryption.js";
import type { Principal } from "./api-keys.js";
import { isScope, SCOPES, type Scope } from "./scopes.js";
import { TokenKeyStore } from "./token-key-store.js";

export const TOKEN_LIFETIME_S = 3600;
/** Signing keys are re-read this often, so a key retired by another process stops verifying within it. */
const KEY_CACHE_MS = 60_000;
const MAX_ADDRESS_RULES = 20;

/** Why a token request is refused, in RFC 6749's words. */
export class OAuthError extends Error {
  constructor(
    readonly error: "invalid_request" | "invalid_client" | "invalid_grant" | "unsupported_grant_type" | "invalid_scope",
    message: string,
    readonly status = error === "invalid_client" ? 401 : 400,
  ) {
    super(message);
  }
}

interface TokenClaims {
  /** The account. */
  sub: number;
  /** The API key it was issued to. */
  key: number;
  scope: Scope[];
  project?: number;
  /** Issued to a read-only key: only reads. */
  ro?: true;
  ip?: string[];
  iat: number;
  exp: number;
  jti: string;
}

const b64 = (value: Buffer | string) => Buffer.from(value).toString("base64url");

/** A list of space-separated (or repeated) form values. */
function listOf(raw: unknown): string[] {
  const values = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  return values.flatMap((v) => (typeof v === "string" ? v.split(/[\s+]+/) : [])).filter(Boolean);
}

/** CIDRs (or bare addresses) a token may be used from; invalid ones are an invalid_request. */
export function parseAddressRules(raw: unknown): string[] {
  const rules = listOf(raw);
  if (rules.length > MAX_ADDRESS_RULES)
    throw new OAuthError("invalid_request", `ipaddr lists more than ${MAX_ADDRESS_RULES} ranges`);
  for (const rule of rules) {
    const [address, bits, extra] = rule.split("/");
    const family = isIP(address ?? "");
    const max = family === 6 ? 128 : 32;
    if (!family || extra !== undefined || (bits !== undefined && !(/^\d{1,3}$/.test(bits) && Number(bits) <= max))) {
      throw new OAuthError("invalid_request", `ipaddr "${rule.slice(0, 64)}" is not an IP address or CIDR range`);
    }
  }
  return rules;
}

function allows(rules: string[], address: string): boolean {
  const list = new BlockList();
  for (const rule of rules) {
    const [ip, bits] = rule.split("/") as [string, string | undefined];
    const type = isIP(ip) === 6 ? "ipv6" : "ipv4";
    if (bits === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(bits), type);
  }
  const plain = address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return list.check(plain, isIP(plain) === 6 ? "ipv6" : "ipv4");
}

export class AccessTokens {
  private keys = new Map<string, { secret: Buffer; retired: boolean }>();
  private current?: { kid: string; secret: Buffer };
  private loadedAt = 0;
  private readonly store: TokenKeyStore;

  constructor(
    db: Queryable,
    private readonly secrets: SecretBox,
    private readonly now: () => number = Date.now,
  ) {
    this.store = new TokenKeyStore(db);
  }

  /** Issues a token for `principal` (an API key's) with the requested scopes (default: all the key may use). */
  async issue(principal: Principal, form: Record<string, unknown>) {
    if (form.grant_type !== "client_credentials") {
      throw new OAuthError(
        form.grant_type === undefined ? "invalid_request" : "unsupported_grant_type",
        "grant_type must be client_credentials",
      );
    }
    const requested = listOf(form.scope);
    const unknown = requested.filter((s) => !isScope(s));
    if (unknown.length) throw new OAuthError("invalid_scope", `Unknown scope ${unknown.slice(0, 5).join(", ")}`);
    const allowed = principal.scopes;
    const beyond = allowed ? requested.filter((s) => !allowed.includes(s as Scope)) : [];
    if (beyond.length) throw new OAuthError("invalid_scope", `The key may not use ${beyond.join(", ")}`);
    const scope = [...new Set(requested.length ? (requested as Scope[]) : (allowed ?? allScopes()))];
    // The addresses the token may be used from (not checked now: a token service may fetch tokens for others).
    const ip = parseAddressRules(form.ipaddr);
    const iat = Math.floor(this.now() / 1000);
    const claims: TokenClaims = {
      sub: principal.accountId,
      key: principal.apiKeyId,
      scope,
      ...(principal.projectId === undefined ? {} : { project: principal.projectId }),
      ...(principal.readOnly ? { ro: true } : {}),
      ...(ip.length ? { ip } : {}),
      iat,
      exp: iat + TOKEN_LIFETIME_S,
      jti: randomBytes(12).toString("base64url"),
    };
    const key = await this.signingKey();
    const body = `${b64(JSON.stringify({ alg: "HS256", typ: "JWT", kid: key.kid }))}.${b64(JSON.stringify(claims))}`;
    const signature = createHmac("sha256", key.secret).update(body).digest("base64url");
    return {
      access_token: `${body}.${signature}`,
      token_type: "Bearer",
      expires_in: TOKEN_LIFETIME_S,
      scope: scope.join(" "),
    };
  }

  /** Whether a bearer value is shaped like one of our tokens (API secrets have no dots). */
  static looksLikeToken(value: string): boolean {
    return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
  }

  /** The principal a token stands for, or a reason it does not stand for anyone (altered, expired, elsewhere). */
  async verify(token: string, address: string): Promise<Principal | { refused: string }> {
    const [header, payload, signature] = token.split(".") as [string, string, string];
    let kid: unknown;
    let claims: TokenClaims;
    try {
      kid = JSON.parse(Buffer.from(header, "base64url").toString()).kid;
      claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    } catch {
      return { refused: "The access token is malformed" };
    }
    const key = typeof kid === "string" ? await this.verifyingKey(kid) : undefined;
    if (!key) return { refused: "The access token is not valid (unknown or retired signing key)" };
    const expected = createHmac("sha256", key).update(`${header}.${payload}`).digest();
    const given = Buffer.from(signature, "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { refused: "The access token is not valid (signature)" };
    }
    if (typeof claims.exp !== "number" || claims.exp * 1000 <= this.now())
      return { refused: "The access token has expired" };
    if (claims.ip?.length && !allows(claims.ip, address)) {
      return { refused: "The access token may not be used from this address" };
    }
    return {
      accountId: claims.sub,
      apiKeyId: claims.key,
      scopes: claims.scope,
      ...(claims.project === undefined ? {} : { projectId: claims.project }),
      ...(claims.ro ? { readOnly: true } : {}),
      via: "token",
    };
  }

  /** Makes a new signing key (it signs from now on) and retires keys superseded longer ago than a token lives. */
  async rotate(): Promise<{ kid: string; retired: string[] }> {
    const kid = randomBytes(6).toString("hex");
    await this.store.add(kid, this.secrets.seal(randomBytes(32)));
    const retired = await this.store.retireSuperseded(kid, TOKEN_LIFETIME_S);
    this.loadedAt = 0;
    return { kid, retired };
  }

  /** Retires every key but the newest: every token issued so far stops working at once. */
  async revokeAll(): Promise<number> {
    const retired = await this.store.retireAllButNewest();
    this.loadedAt = 0;
    return retired;
  }

  private async load(): Promise<void> {
    // Fresh enough, even when no key exists yet (a forged token must not cost a query each time).
    if (this.loadedAt !== 0 && this.now() - this.loadedAt < KEY_CACHE_MS) return;
    const rows = await this.store.all();
    this.keys = new Map(rows.map((r) => [r.kid, { secret: this.secrets.open(r.sealed), retired: r.retired }]));
    const newest = rows.find((r) => !r.retired);
    this.current = newest ? { kid: newest.kid, secret: this.keys.get(newest.kid)!.secret } : undefined;
    this.loadedAt = this.now();
  }

  private async signingKey(): Promise<{ kid: string; secret: Buffer }> {
    await this.load();
    if (!this.current) {
      await this.rotate();
      await this.load();
    }
    return this.current!;
  }

  private async verifyingKey(kid: string): Promise<Buffer | undefined> {
    await this.load();
    let key = this.keys.get(kid);
    // A key made by another process since the last read: read once more (a forged kid costs one query a minute
    // at most per process — the cache is only reloaded when stale or when the kid is new and the cache is old).
    if (!key && this.now() - this.loadedAt > 1000) {
      this.loadedAt = 0;
      await this.load();
      key = this.keys.get(kid);
    }
    return key && !key.retired ? key.secret : undefined;
  }
}

const allScopes = () => Object.keys(SCOPES) as Scope[];
