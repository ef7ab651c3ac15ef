// A live worker stays alive while its process's pool is busy: heartbeats have a connection of their own, so a
// pool held by requests and jobs for longer than the lease does not get the worker's jobs released to another.
import type pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { releaseDeadWorkers } from "../../src/jobs/heartbeat-store.js";
import { startWorker, type Worker } from "../../src/jobs/queue.js";
import { addJob } from "../../src/jobs/queue-store.js";
import { createTestDatabase, type TestDatabase, testPool } from "../helpers/database.js";
import { until } from "../helpers/wait.js";

const LEASE_MS = 1_000;

let db: TestDatabase;
let pool: pg.Pool;
let checker: pg.Pool;
let worker: Worker | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = testPool(db.url, 3);
  checker = testPool(db.url, 1);
});
afterAll(async () => {
  await worker?.stop();
  await Promise.all([pool.end(), checker.end()]);
  await db.drop();
});

it("keeps a worker alive while every connection of its pool is held past the lease", async () => {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  worker = await startWorker(
    pool,
    { slow: () => finished },
    { concurrency: 1, pollIntervalMs: 100, liveness: { heartbeatMs: 200, leaseMs: LEASE_MS } },
  );
  await addJob(pool, "slow", {});
  const lockedBy = await until(
    async () =>
      (await checker.query<{ locked_by: string | null }>("SELECT locked_by FROM graphile_worker.jobs")).rows[0]
        ?.locked_by,
    (id) => typeof id === "string",
  );

  // Take every connection the pool will give (the worker's LISTEN holds one already).
  const held: pg.PoolClient[] = [];
  for (;;) {
    const asked = pool.connect();
    const client = await Promise.race([
      asked,
      new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 500)),
    ]);
    if (!client) {
      void asked.then((late) => late.release()); // given once the held ones go back
      break;
    }
    held.push(client);
  }
  expect(pool.totalCount).toBe(3);
  expect(pool.idleCount).toBe(0);

  const verdicts: string[][] = [];
  try {
    const end = Date.now() + 3 * LEASE_MS;
    while (Date.now() < end) {
      verdicts.push(await releaseDeadWorkers(checker, LEASE_MS));
      await new Promise((r) => setTimeout(r, 250));
    }
    const { rows } = await checker.query<{ age_ms: number }>(
      "SELECT (extract(epoch FROM now() - seen_at) * 1000)::int AS age_ms FROM worker_heartbeats WHERE worker_id = $1",
      [lockedBy],
    );
    expect(rows[0]!.age_ms).toBeLessThan(LEASE_MS);
  } finally {
    for (const client of held) client.release();
  }
  expect(verdicts.length).toBeGreaterThan(5);
  expect(verdicts.flat()).toEqual([]);
  // The job is still the same worker's, and ends there.
  const after = await checker.query<{ locked_by: string | null }>("SELECT locked_by FROM graphile_worker.jobs");
  expect(after.rows[0]?.locked_by).toBe(lockedBy);
  finish();
  await until(
    async () => (await checker.query("SELECT 1 FROM graphile_worker.jobs")).rowCount,
    (n) => n === 0,
  );
});
