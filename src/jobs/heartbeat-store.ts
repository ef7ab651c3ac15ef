// Workers' heartbeats (worker_heartbeats) and the release of jobs whose worker went silent (jobs/liveness.ts runs
// them on its own connection, every few seconds).
import type { Queryable } from "../db/queryable.js";

/** Releases the jobs (and job queues) locked by workers silent for longer than `leaseMs`; returns their ids. */
export async function releaseDeadWorkers(db: Queryable, leaseMs: number): Promise<string[]> {
  // A job locked less than a lease ago is left alone: its worker may not have written its first heartbeat yet.
  const { rows } = await db.query<{ dead: string[] }>(
    `SELECT ARRAY(
       SELECT DISTINCT j.locked_by FROM graphile_worker.jobs j
        WHERE j.locked_by IS NOT NULL AND j.locked_at < now() - $1 * interval '1 millisecond'
          AND NOT EXISTS (SELECT 1 FROM worker_heartbeats h
                           WHERE h.worker_id = j.locked_by AND h.seen_at > now() - $1 * interval '1 millisecond')
     ) AS dead`,
    [leaseMs],
  );
  const dead = rows[0]?.dead ?? [];
  if (dead.length > 0) await db.query("SELECT graphile_worker.force_unlock_workers($1::text[])", [dead]);
  return dead;
}

/** Marks these workers alive now. */
export async function beat(db: Queryable, workerIds: string[]): Promise<void> {
  await db.query(
    `INSERT INTO worker_heartbeats (worker_id, seen_at) SELECT unnest($1::text[]), now()
     ON CONFLICT (worker_id) DO UPDATE SET seen_at = now()`,
    [workerIds],
  );
}

/** Forgets workers that stopped cleanly (their jobs were released by the queue itself). */
export async function forget(db: Queryable, workerIds: string[]): Promise<void> {
  await db.query("DELETE FROM worker_heartbeats WHERE worker_id = ANY($1::text[])", [workerIds]);
}

/** Heartbeats of workers long gone (stopped without cleaning up, or released). */
export async function pruneHeartbeats(db: Queryable): Promise<void> {
  await db.query("DELETE FROM worker_heartbeats WHERE seen_at < now() - interval '1 hour'");
}
