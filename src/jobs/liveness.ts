// Dead workers: graphile-worker keeps a job locked by a worker that died (SIGKILL, a lost machine) for four hours.
// Every process writes a heartbeat for each of its worker ids every few seconds; every process also releases the
// jobs of workers whose heartbeat is older than the lease, so another worker takes them within seconds and
// resumes them from their checkpoints (jobs/checkpoint-store.ts).
import type pg from "pg";
import { sidePool } from "../db/client.js";

export interface LivenessOptions {
  /** How often heartbeats are written and dead workers looked for (default 2 s). */
  heartbeatMs?: number;
  /** A worker with no heartbeat for this long is dead (default 10 s). */
  leaseMs?: number;
  log?: { warn(msg: string): void };
}

/** Releases the jobs (and job queues) locked by workers silent for longer than `leaseMs`; returns their ids. */
export async function releaseDeadWorkers(pool: pg.Pool, leaseMs: number): Promise<string[]> {
  // A job locked less than a lease ago is left alone: its worker may not have written its first heartbeat yet.
  const { rows } = await pool.query<{ dead: string[] }>(
    `SELECT ARRAY(
       SELECT DISTINCT j.locked_by FROM graphile_worker.jobs j
        WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - $1 * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM worker_heartbeats h
                           WHERE h.worker_id = j.locked_by AND h.seen_at > now() - $1 * interval '1 millisecond')
     ) AS dead`,
    [leaseMs],
  );
  const dead = rows[0]?.dead ?? [];
  if (dead.length > 0) await pool.query("SELECT graphile_worker.force_unlock_workers($1::text[])", [dead]);
  return dead;
}

/** Heartbeats for this process's workers, and the release of dead ones' jobs. */
export class WorkerLiveness {
  private readonly ids = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly heartbeatMs: number;
  private readonly leaseMs: number;
  /**
   * A connection of its own: a heartbeat waiting behind a busy pool (every connection held by jobs and requests
   * for longer than the lease) would make a live worker look dead, and its jobs would run twice.
   */
  private readonly pool: pg.Pool;

  constructor(
    database: pg.Pool,
    private readonly options: LivenessOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 2_000;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.pool = sidePool(database, 1);
  }

  /** A worker of this process was created: it is alive from now on (its first heartbeat is written at once). */
  track(workerId: string): void {
    this.ids.add(workerId);
    void this.beat();
  }

  start(): void {
    this.timer ??= setInterval(() => void this.round(), this.heartbeatMs);
    this.timer.unref();
  }

  /** Stops beating and forgets this process's workers (they stopped cleanly: their jobs were released). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopped = true;
    const ids = [...this.ids];
    this.ids.clear();
    if (ids.length > 0) {
      await this.pool
        .query("DELETE FROM worker_heartbeats WHERE worker_id = ANY($1::text[])", [ids])
        .catch(() => undefined);
    }
    await this.pool.end().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (this.ids.size === 0 || this.stopped) return;
    await this.pool
      .query(
        `INSERT INTO worker_heartbeats (worker_id, seen_at) SELECT unnest($1::text[]), now()
         ON CONFLICT (worker_id) DO UPDATE SET seen_at = now()`,
        [[...this.ids]],
      )
      .catch((error: unknown) => this.options.log?.warn(`worker heartbeat failed: ${(error as Error).message}`));
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    await this.beat();
    try {
      const dead = await releaseDeadWorkers(this.pool, this.leaseMs);
      if (dead.length > 0) this.options.log?.warn(`released the jobs of ${dead.length} dead worker(s)`);
      // Heartbeats of workers long gone (stopped without cleaning up, or released above).
      await this.pool.query("DELETE FROM worker_heartbeats WHERE seen_at < now() - interval '1 hour'");
    } catch (error) {
      this.options.log?.warn(`dead-worker release failed: ${(error as Error).message}`);
    }
  }
}
