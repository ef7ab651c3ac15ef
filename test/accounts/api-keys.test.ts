// ApiKeyService's rules with an in-memory repository and a manual clock: only the secret's hash is stored, the
// cache of positive decisions expires with its time to live and is emptied by a revocation, a wrong secret or a
// revoked key is refused, and a project-limited or scoped key says so in its principal. (Keys over HTTP, with
// Postgres: test/http/auth.test.ts and scopes.test.ts.)
import { beforeEach, describe, expect, it } from "vitest";
import { ApiKeyService } from "../../src/accounts/api-keys.js";
import { ManualClock } from "../../src/clock.js";

interface Row {
  id: number;
  key: string;
  name: string;
  secretHash: string;
  accountId: number;
  scopes: string[];
  projectId: number | null;
  revokedAt: Date | null;
  createdAt: Date;
}

function memoryRepository() {
  const rows: Row[] = [];
  const reads = { count: 0 };
  return {
    rows,
    reads,
    async findByKey(key: string) {
      reads.count++;
      return (rows.find((r) => r.key === key) ?? null) as never;
    },
    async findBySecretHash(secretHash: string) {
      reads.count++;
      return (rows.find((r) => r.secretHash === secretHash) ?? null) as never;
    },
    async list() {
      return rows as never;
    },
    async isLive(id: number) {
      return rows.some((r) => r.id === id && r.revokedAt === null);
    },
    async revoke(key: string, at: Date) {
      const row = rows.find((r) => r.key === key && r.revokedAt === null);
      if (row) row.revokedAt = at;
      return row !== undefined;
    },
    async create(input: {
      key: string;
      name: string;
      secretHash: string;
      accountId?: number;
      scopes?: readonly string[];
      projectId?: number;
    }) {
      const row: Row = {
        id: rows.length + 1,
        key: input.key,
        name: input.name,
        secretHash: input.secretHash,
        accountId: input.accountId ?? rows.length + 100,
        scopes: [...(input.scopes ?? [])],
        projectId: input.projectId ?? null,
        revokedAt: null,
        createdAt: new Date(0),
      };
      rows.push(row);
      return row as never;
    },
  };
}

let repository: ReturnType<typeof memoryRepository>;
let clock: ManualClock;
let keys: ApiKeyService;

beforeEach(() => {
  repository = memoryRepository();
  clock = new ManualClock(1_000_000);
  keys = new ApiKeyService(repository, 30_000, () => clock.now());
});

describe("ApiKeyService (in-memory repository)", () => {
  it("stores only the secret's hash and recognises the key by Basic and by bearer secret", async () => {
    const made = await keys.create("app");
    expect(repository.rows[0]!.secretHash).not.toContain(made.secret);
    expect(JSON.stringify(repository.rows)).not.toContain(made.secret);
    const basic = await keys.authenticate({ kind: "basic", key: made.key, secret: made.secret });
    expect(basic).toMatchObject({ accountId: made.accountId, apiKeyId: 1, via: "key" });
    expect(await keys.authenticate({ kind: "bearer", secret: made.secret } as never)).toMatchObject({
      accountId: made.accountId,
    });
    expect(await keys.authenticate({ kind: "basic", key: made.key, secret: `${made.secret}x` })).toBeUndefined();
    expect(await keys.authenticate({ kind: "basic", key: "wk_nobody", secret: made.secret })).toBeUndefined();
  });

  it("answers from its cache within the time to live, reads again after it, and forgets on a revocation", async () => {
    const made = await keys.create("app");
    const credentials = { kind: "basic" as const, key: made.key, secret: made.secret };
    await keys.authenticate(credentials);
    const reads = repository.reads.count;
    await keys.authenticate(credentials);
    expect(repository.reads.count).toBe(reads);
    clock.advance(30_001);
    await keys.authenticate(credentials);
    expect(repository.reads.count).toBe(reads + 1);
    expect(await keys.revoke(made.key)).toBe(true);
    expect(await keys.authenticate(credentials)).toBeUndefined();
    expect(await keys.isLive(1)).toBe(false);
  });

  it("carries a key's scopes and project into its principal", async () => {
    const made = await keys.create("limited", 7, { scopes: ["wpas"], projectId: 42 });
    expect(await keys.authenticate({ kind: "basic", key: made.key, secret: made.secret })).toEqual({
      accountId: 7,
      apiKeyId: 1,
      scopes: ["wpas"],
      projectId: 42,
      via: "key",
    });
  });

  it("ensures a bootstrap key idempotently and refuses one that exists with another secret", async () => {
    expect(await keys.ensure("wk_boot", "s3cret-s3cret")).toEqual({ created: true });
    expect(await keys.ensure("wk_boot", "s3cret-s3cret")).toEqual({ created: false });
    await expect(keys.ensure("wk_boot", "other")).rejects.toThrow("different secret");
  });
});
