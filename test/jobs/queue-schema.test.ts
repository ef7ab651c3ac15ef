// Installing the job queue's schema from several processes at once on a fresh database (servers and workers
// starting together): every one succeeds. Without the advisory lock, graphile-worker's own migrations race and
// all but one fail ("duplicate key … pg_namespace_nspname_index").
import { expect, it } from "vitest";
import { installQueueSchema } from "../../src/jobs/queue.js";
import { createTestDatabase, testPool } from "../helpers/database.js";

it("installs the queue schema from six pools at once, five times over, without a failure", async () => {
  const failures: string[] = [];
  for (let round = 0; round < 5; round++) {
    const db = await createTestDatabase({ migrated: false });
    const pools = Array.from({ length: 6 }, () => {
      const pool = testPool(db.url, 1);
      pool.on("error", () => {}); // an idle connection ended by the database's drop
      return pool;
    });
    try {
      const results = await Promise.allSettled(pools.map((pool) => installQueueSchema(pool)));
      for (const result of results) if (result.status === "rejected") failures.push(String(result.reason));
      const { rows } = await pools[0]!.query("SELECT count(*)::int AS n FROM graphile_worker.jobs");
      expect(rows[0]!.n).toBe(0);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
      await db.drop();
    }
  }
  expect(failures).toEqual([]);
});
