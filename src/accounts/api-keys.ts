// API keys: creation, revocation, and the authentication decision (cached, constant-time compared).
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError } from "../errors.js";
import type { ApiKeyRepository, StoredApiKey } from "./api-key-repository.js";
import type { Scope } from "./scopes.js";

export interface Principal {
  readonly accountId: number;
  readonly apiKeyId: number;
  /** The scopes it may use (undefined: every scope). */
  readonly scopes?: readonly Scope[];
  /** The one project it may reach (undefined: every project of the account). */
  readonly projectId?: number;
  /** Only reads: every write is refused (a read-only key, or a token or console session of one). */
  readonly readOnly?: boolean;
  /** How it authenticated: an API key, an OAuth access token issued to one, or a console session of one. */
  readonly via?: "key" | "token" | "session";
}

export interface KeyLimits {
  scopes?: Scope[];
  projectId?: number;
  readOnly?: boolean;
}

export interface NewApiKey {
  readonly key: string;
  readonly secret: string;
  readonly accountId: number;
}

export type Credentials = { kind: "basic"; key: string; secret: string } | { kind: "secret"; secret: string };

const MAX_CACHE_ENTRIES = 10_000;

export const hashSecret = (secret: string): string => createHash("sha256").update(secret).digest("hex");

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

export class ApiKeyService {
  // Cache of positive decisions only, keyed by a hash of the presented credentials, so a hit costs one SHA-256.
  private readonly cache = new Map<string, { principal: Principal; expiresAt: number }>();
  // Whether a key still stands, by id, for the access tokens issued to it (the same time to live).
  private readonly live = new Map<number, { live: boolean; expiresAt: number }>();

  constructor(
    private readonly repository: Pick<
      ApiKeyRepository,
      "findByKey" | "findBySecretHash" | "create" | "revoke" | "list" | "isLive"
    >,
    private readonly cacheTtlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a key with a fresh random secret (32 bytes); the secret is returned here and never again. */
  async create(name: string, accountId?: number, limits: KeyLimits = {}): Promise<NewApiKey> {
    const key = `wk_${randomBytes(12).toString("base64url")}`;
    const secret = randomBytes(32).toString("base64url");
    const stored = await this.repository.create({ key, name, secretHash: hashSecret(secret), accountId, ...limits });
    return { key, secret, accountId: stored.accountId };
  }

  /** Makes sure `key` exists with `secret` (idempotent); used for BOOTSTRAP_API_KEY. */
  async ensure(key: string, secret: string): Promise<{ created: boolean }> {
    if (!(await this.repository.findByKey(key))) {
      try {
        await this.repository.create({ key, name: key, secretHash: hashSecret(secret) });
        return { created: true };
      } catch (error) {
        // Another server starting at the same moment created it first: check it as an existing key.
        if (!(error instanceof AppError && error.status === 409)) throw error;
      }
    }
    const existing = await this.repository.findByKey(key);
    if (!existing || !sameHash(existing.secretHash, hashSecret(secret)) || existing.revokedAt) {
      throw new Error(`API key "${key}" already exists with a different secret or is revoked`);
    }
    return { created: false };
  }

  list(): Promise<StoredApiKey[]> {
    return this.repository.list();
  }

  async revoke(key: string): Promise<boolean> {
    const found = await this.repository.revoke(key, new Date(this.now()));
    this.cache.clear();
    this.live.clear();
    return found;
  }

  /**
   * Whether the key an access token was issued to still stands: a revoked key's tokens stop with it, in this
   * process at once, in others (a revocation by the CLI) within the cache's time to live.
   */
  async isLive(apiKeyId: number): Promise<boolean> {
    const now = this.now();
    const cached = this.live.get(apiKeyId);
    if (cached && cached.expiresAt > now) return cached.live;
    const live = await this.repository.isLive(apiKeyId);
    if (this.cacheTtlMs > 0) {
      if (this.live.size >= MAX_CACHE_ENTRIES) this.live.clear();
      this.live.set(apiKeyId, { live, expiresAt: now + this.cacheTtlMs });
    }
    return live;
  }

  /** Returns who the credentials belong to, or undefined when they are wrong, unknown or revoked. */
  async authenticate(credentials: Credentials): Promise<Principal | undefined> {
    const cacheKey =
      credentials.kind === "basic"
        ? hashSecret(`b\0${credentials.key}\0${credentials.secret}`)
        : hashSecret(`s\0${credentials.secret}`);
    const now = this.now();
    const cached = this.cache.get(cacheKey);
    if (cached && cached.expiresAt > now) return cached.principal;

    const presentedHash = hashSecret(credentials.secret);
    const stored =
      credentials.kind === "basic"
        ? await this.repository.findByKey(credentials.key)
        : await this.repository.findBySecretHash(presentedHash);
    if (!stored || stored.revokedAt || !sameHash(stored.secretHash, presentedHash)) return undefined;

    const principal: Principal = {
      accountId: stored.accountId,
      apiKeyId: stored.id,
      ...(stored.scopes.length ? { scopes: stored.scopes as Scope[] } : {}),
      ...(stored.projectId === null ? {} : { projectId: stored.projectId }),
      ...(stored.readOnly ? { readOnly: true } : {}),
      via: "key",
    };
    if (this.cacheTtlMs > 0) {
      if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
      this.cache.set(cacheKey, { principal, expiresAt: now + this.cacheTtlMs });
    }
    return principal;
  }
}
