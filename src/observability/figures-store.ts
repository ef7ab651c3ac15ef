// The installation's figures an operator watches, counted in the database at scrape time (a few indexed counts),
// so every process reports the same: passes by install status, the job queue's depth and oldest due job, outbound
// deliveries waiting or dead-lettered. Each answers labelled values (a figure without labels has one, label "").
import type { Queryable } from "../db/queryable.js";

export interface Figure {
  readonly label: string;
  readonly value: number;
}

const FIGURES = {
  passesByStatus: "SELECT status AS label, sum(passes)::text AS value FROM template_pass_counts GROUP BY status",
  jobsByTask:
    "SELECT task_identifier AS label, count(*)::text AS value FROM graphile_worker.jobs GROUP BY task_identifier",
  oldestDueJobAgeSeconds:
    "SELECT '' AS label, COALESCE(EXTRACT(EPOCH FROM now() - min(run_at)), 0)::text AS value FROM graphile_worker.jobs WHERE run_at <= now()",
  deliveriesByState:
    "SELECT state AS label, count(*)::text AS value FROM deliveries WHERE state IN ('pending', 'dead') GROUP BY state",
} as const;

export type FigureName = keyof typeof FIGURES;

export class FiguresStore {
  constructor(private readonly db: Queryable) {}

  async read(name: FigureName): Promise<Figure[]> {
    const { rows } = await this.db.query<{ label: string; value: string }>(FIGURES[name]);
    return rows.map((row) => ({ label: row.label ?? "", value: Number(row.value) }));
  }
}
