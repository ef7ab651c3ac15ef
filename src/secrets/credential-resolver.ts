// Which credential serves a project (Apple signing identity, Google issuer): the project's own, else its account's
// default (Apple certificates of /v1/certificates), else the server-wide default, else the generated development one. Resolved per project and cached for 30 s, so an
// import made by another process is seen within that time.
import { type Clock, systemClock } from "../clock.js";

export type CredentialSource = "project" | "account" | "default" | "development";

export interface Resolved<T> {
  value: T;
  source: CredentialSource;
}

export class CredentialResolver<T> {
  private readonly cache = new Map<number, Resolved<T> & { at: number }>();

  constructor(
    private readonly what: string,
    private readonly ownOf: (projectId: number) => Promise<T | undefined>,
    private readonly fallbacks: () => { default?: T; development?: T },
    private readonly ttlMs = 30_000,
    private readonly clock: Clock = systemClock,
    /** The account's own default for the project, when its kind has one. */
    private readonly accountOf: (projectId: number) => Promise<T | undefined> = async () => undefined,
  ) {}

  async resolve(projectId: number): Promise<Resolved<T>> {
    const hit = this.cache.get(projectId);
    if (hit && this.clock.now() - hit.at < this.ttlMs) return hit;
    const own = await this.ownOf(projectId);
    const account = own === undefined ? await this.accountOf(projectId) : undefined;
    const { default: fallback, development } = this.fallbacks();
    const value = own ?? account ?? fallback ?? development;
    if (value === undefined) throw new Error(`${this.what} are not started`);
    const entry = {
      value,
      source: (own ? "project" : account ? "account" : fallback ? "default" : "development") as CredentialSource,
      at: this.clock.now(),
    };
    this.cache.set(projectId, entry);
    return entry;
  }

  /** Forgets every cached answer (after an account-wide change here). */
  forgetAll(): void {
    this.cache.clear();
  }

  /** Forgets a project's cached answer (after an import or removal here). */
  forget(projectId: number): void {
    this.cache.delete(projectId);
  }
}
