// Dead workers: graphile-worker keeps a job locked by a worker that died (SIGKILL, a lost machine) for four hours.
// Every process writes a heartbeat for each of its worker ids every few seconds; every process also releases the
// jobs of workers whose heartbeat is older than the lease, so another worker takes them within seconds and
// resumes them from their checkpoints (jobs/checkpoint-store.ts).
import type pg from "pg";
import { sidePool } from "../db/client.js";
import { beat, forget, pruneHeartbeats, releaseDeadWorkers } from "./heartbeat-store.js";

export interface LivenessOptions {
  /** How often heartbeats are written and dead workers looked for (default 2 s). */
  heartbeatMs?: number;
  /** A worker with no heartbeat for this long is dead (default 10 s). */
  leaseMs?: number;
  log?: { warn(msg: string): void };
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
      await forget(this.pool, ids).catch(() => undefined);
    }
    await this.pool.end().catch(() => undefined);
  }

  private async beat(): Promise<void> {
    if (this.ids.size === 0 || this.stopped) return;
    await beat(this.pool, [...this.ids]).catch((error: unknown) =>
      this.options.log?.warn(`worker heartbeat failed: ${(error as Error).message}`),
    );
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    await this.beat();
    try {
      const dead = await releaseDeadWorkers(this.pool, this.leaseMs);
      if (dead.length > 0) this.options.log?.warn(`released the jobs of ${dead.length} dead worker(s)`);
      // Heartbeats of workers long gone (stopped without cleaning up, or released above).
      await pruneHeartbeats(this.pool);
    } catch (error) {
      this.options.log?.warn(`dead-worker release failed: ${(error as Error).message}`);
    }
  }
}
