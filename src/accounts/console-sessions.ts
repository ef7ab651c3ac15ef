// Web console sessions: signing in with an API key and secret (optionally narrowed to some of its scopes, as an
// OAuth client asks for a token) gives a random token for an HttpOnly cookie and a CSRF token for the page. The
// session stands for its key: the same scopes, project limit and read-only flag, checked by the same /v1 routes.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { AppError, unauthorized } from "../errors.js";
import type { ApiKeyRepository } from "./api-key-repository.js";
import { type ApiKeyService, hashSecret, type Principal } from "./api-keys.js";
import type { ConsoleSessionStore, StoredSession } from "./console-session-store.js";
import { isScope, type Scope } from "./scopes.js";

/** How long a session lasts from sign-in (the cookie's Max-Age is the same). */
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

export interface ConsoleSession {
  readonly principal: Principal;
  readonly csrfToken: string;
  readonly expiresAt: Date;
  /** What the console shows about who is signed in. */
  readonly key: string;
  readonly keyName: string;
}

const tokenHashOf = (token: string) => createHash("sha256").update(token).digest("hex");

function principalOf(stored: StoredSession): Principal {
  const scopes = (stored.scopes.length ? stored.scopes : stored.keyScopes) as Scope[];
  return {
    accountId: stored.accountId,
    apiKeyId: stored.apiKeyId,
    ...(scopes.length ? { scopes } : {}),
    ...(stored.projectId === null ? {} : { projectId: stored.projectId }),
    ...(stored.readOnly ? { readOnly: true } : {}),
    via: "session",
  };
}

export class ConsoleSessions {
  constructor(
    private readonly store: ConsoleSessionStore,
    private readonly apiKeys: ApiKeyService,
    private readonly keys: Pick<ApiKeyRepository, "findByKey">,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signs in: the key and secret must stand, and `scopes` (if any) be among the key's. */
  async signIn(key: string, secret: string, scopes: string[] = []): Promise<ConsoleSession & { token: string }> {
    const principal = await this.apiKeys.authenticate({ kind: "basic", key, secret });
    if (!principal) throw unauthorized("Wrong API key or secret");
    const unknown = scopes.filter((s) => !isScope(s));
    if (unknown.length) throw new AppError("INVALID_SCOPE", `Unknown scope ${unknown.slice(0, 5).join(", ")}`);
    const beyond = principal.scopes ? scopes.filter((s) => !principal.scopes?.includes(s as Scope)) : [];
    if (beyond.length) throw new AppError("INVALID_SCOPE", `The key may not use ${beyond.join(", ")}`);
    const stored = await this.keys.findByKey(key);
    if (!stored) throw unauthorized("Wrong API key or secret");
    const token = randomBytes(32).toString("base64url");
    const csrfToken = randomBytes(24).toString("base64url");
    const expiresAt = new Date(this.now() + SESSION_LIFETIME_MS);
    await this.store.prune(new Date(this.now()));
    const chosen = [...new Set(scopes)];
    await this.store.add(tokenHashOf(token), stored, chosen, csrfToken, expiresAt);
    const session = await this.resolve(token);
    if (!session) throw unauthorized("Wrong API key or secret");
    return { ...session, token };
  }

  /** The live session a cookie's token opens, or undefined. */
  async resolve(token: string): Promise<ConsoleSession | undefined> {
    if (token.length > 128) return undefined;
    const stored = await this.store.find(tokenHashOf(token), new Date(this.now()));
    if (!stored) return undefined;
    return {
      principal: principalOf(stored),
      csrfToken: stored.csrfToken,
      expiresAt: stored.expiresAt,
      key: stored.key,
      keyName: stored.keyName,
    };
  }

  /** Whether `given` is the session's CSRF token (compared in constant time). */
  static csrfMatches(session: ConsoleSession, given: unknown): boolean {
    if (typeof given !== "string" || given.length > 128) return false;
    const a = Buffer.from(hashSecret(given), "hex");
    const b = Buffer.from(hashSecret(session.csrfToken), "hex");
    return timingSafeEqual(a, b);
  }

  async signOut(token: string): Promise<void> {
    if (token.length <= 128) await this.store.remove(tokenHashOf(token));
  }
}
