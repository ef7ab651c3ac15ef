// Pacing of Google Wallet API calls, shared by every process on the database: each call reserves the next free slot
// of its quota bucket's row (one UPDATE), and waits for it. A 429 or RESOURCE_EXHAUSTED pushes the next free slot
// back for everyone, so all processes pause together instead of retrying into the limit.
import { setTimeout as sleep } from "node:timers/promises";
import type pg from "pg";
import { sidePool } from "../db/client.js";
import type { RateGate } from "./rate-gate.js";

export class PostgresRateGate implements RateGate {
  private readonly intervalMs: number;
  /**
   * Connections of its own: a sync takes its slots while holding a transaction of the main pool, so taking them
   * from that pool could leave every connection waiting for one more (a deadlock once the pool is busy).
   */
  private readonly pool: pg.Pool;

  constructor(database: pg.Pool, requestsPerSecond: number) {
    this.intervalMs = 1000 / requestsPerSecond;
    this.pool = sidePool(database, 2);
  }

  close(): Promise<void> {
    return this.pool.end();
  }

  async take(bucket: string): Promise<void> {
    // The slot reserved is [next_at, next_at + interval): the row moves on by one interval per call, never
    // starting before now (an idle bucket saves up no burst).
    const { rows } = await this.pool.query<{ wait_ms: number }>({
      name: "google-rate-take",
      text: `INSERT INTO google_rate_limits AS g (issuer, next_at)
             VALUES ($1, clock_timestamp() + $2 * interval '1 millisecond')
             ON CONFLICT (issuer) DO UPDATE
               SET next_at = GREATEST(g.next_at, clock_timestamp()) + $2 * interval '1 millisecond'
             RETURNING (extract(epoch FROM (next_at - clock_timestamp())) * 1000 - $2)::float8 AS wait_ms`,
      values: [bucket, this.intervalMs],
    });
    const wait = rows[0]?.wait_ms ?? 0;
    if (wait > 0) await sleep(wait);
  }

  async pause(bucket: string, ms: number): Promise<void> {
    await this.pool.query(
      `UPDATE google_rate_limits SET next_at = GREATEST(next_at, clock_timestamp() + $2 * interval '1 millisecond')
        WHERE issuer = $1`,
      [bucket, ms],
    );
  }
}
