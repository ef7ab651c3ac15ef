import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DEFAULT_MIGRATIONS_DIR, MigrationError, migrate, readMigrations } from "../../src/db/migrate.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function emptyDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase({ migrated: false });
  cleanups.push(() => db.drop());
  return db;
}

async function copyOfMigrations(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "wallet-migrations-"));
  await cp(DEFAULT_MIGRATIONS_DIR, dir, { recursive: true });
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

describe("migration runner", () => {
  it("applies every migration once even when several servers start at the same moment", async () => {
    const db = await emptyDatabase();
    const results = await Promise.all(Array.from({ length: 4 }, () => migrate(db.url)));
    const all = (await readMigrations()).map((m) => m.name);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(all);
    const { rows } = await db.query(
      `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual(all.map((name) => ({ migration_name: name, n: 1 })));
    const again = await migrate(db.url);
    expect(again).toEqual({ applied: [], alreadyApplied: all });
  });

  it("records Prisma's checksum (SHA-256 of the file) so prisma migrate agrees", async () => {
    const db = await emptyDatabase();
    await migrate(db.url);
    const [first] = await readMigrations();
    const { rows } = await db.query(
      `SELECT checksum, finished_at FROM "_prisma_migrations" WHERE migration_name = $1`,
      [first!.name],
    );
    expect(rows[0]!.checksum).toBe(first!.checksum);
    expect(rows[0]!.finished_at).toBeInstanceOf(Date);
  });

  it("refuses to run when an applied migration was edited", async () => {
    const db = await emptyDatabase();
    const dir = await copyOfMigrations();
    await migrate(db.url, dir);
    const [first] = await readMigrations(dir);
    const file = join(dir, first!.name, "migration.sql");
    await writeFile(file, `${await readFile(file, "utf8")}\n-- edited\n`);
    await expect(migrate(db.url, dir)).rejects.toThrow(MigrationError);
    await expect(migrate(db.url, dir)).rejects.toThrow(/edited after it was applied/);
  });

  it("rolls a failing migration back whole and records nothing for it", async () => {
    const db = await emptyDatabase();
    const dir = await copyOfMigrations();
    const { mkdir } = await import("node:fs/promises");
    await mkdir(join(dir, "29990101000000_broken"));
    await writeFile(
      join(dir, "29990101000000_broken", "migration.sql"),
      "CREATE TABLE half_done (id int);\nSELECT no_such_function();\n",
    );
    await expect(migrate(db.url, dir)).rejects.toThrow(/29990101000000_broken failed/);
    const table = await db.query("SELECT to_regclass('half_done') AS t");
    expect(table.rows[0]!.t).toBeNull();
    const recorded = await db.query(`SELECT migration_name FROM "_prisma_migrations"`);
    expect(recorded.rows.map((r) => r.migration_name)).not.toContain("29990101000000_broken");
    // The ones before it were applied and stay applied.
    expect(recorded.rows.length).toBe((await readMigrations()).length);
  });
});
