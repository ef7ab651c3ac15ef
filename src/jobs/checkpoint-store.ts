// Where a running job got to, per subscriber, so that a job released from a dead worker (jobs/liveness.ts) or
// retried after a failure resumes there instead of starting over: the APNs subscriber records the last push target
// it finished and the targets that failed, so a retry pushes only those and the ones it never reached.
import type pg from "pg";
import type { Checkpoint, JobCheckpoint } from "../domain/wallet-port.js";

export class JobCheckpoints {
  constructor(private readonly pool: pg.Pool) {}

  for(jobId: string, subscriber: string): JobCheckpoint {
    return {
      load: async () => {
        const { rows } = await this.pool.query<Checkpoint>(
          "SELECT position, failed FROM job_checkpoints WHERE job_id = $1 AND subscriber = $2",
          [jobId, subscriber],
        );
        return rows[0];
      },
      save: async (checkpoint) => {
        await this.pool.query(
          `INSERT INTO job_checkpoints (job_id, subscriber, position, failed) VALUES ($1, $2, $3, $4)
           ON CONFLICT (job_id, subscriber) DO UPDATE SET position = EXCLUDED.position, failed = EXCLUDED.failed,
             updated_at = now()`,
          [jobId, subscriber, checkpoint.position, checkpoint.failed],
        );
      },
    };
  }

  /** The job succeeded: its checkpoints are no longer needed. */
  async clear(jobId: string): Promise<void> {
    await this.pool.query("DELETE FROM job_checkpoints WHERE job_id = $1", [jobId]);
  }

  /** Checkpoints of jobs that no longer exist (failed for good, or finished between clear and completion). */
  async prune(): Promise<void> {
    await this.pool.query(
      `DELETE FROM job_checkpoints c WHERE updated_at < now() - interval '1 hour'
          AND NOT EXISTS (SELECT 1 FROM graphile_worker.jobs j WHERE j.id = c.job_id)`,
    );
  }
}
