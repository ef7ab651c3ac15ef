// Statistics reads: install counters from template_pass_counts (kept exact by triggers on passes) and from the
// passes of one external id; daily activity from daily_activity (counted from the pass-event log).
import type pg from "pg";

export interface TemplateCounts {
  id: number;
  total: number;
  installed: number;
  uninstalled: number;
}

export interface ActivityRow {
  day: string;
  vendor: string;
  kind: string;
  count: number;
}

export class StatisticsRepository {
  constructor(private readonly pool: pg.Pool) {}

  /** Counters of each template given (or of the project's templates), from the maintained per-status counts. */
  async templateCounts(where: { templateId: number } | { projectId: number }): Promise<TemplateCounts[]> {
    const [filter, value] =
      "templateId" in where ? ["t.id = $1", where.templateId] : ["t.project_id = $1", where.projectId];
    const { rows } = await this.pool.query<TemplateCounts>(
      `SELECT t.id, COALESCE(sum(c.passes), 0)::int AS total,
              COALESCE(sum(c.passes) FILTER (WHERE c.status = 'installed'), 0)::int AS installed,
              COALESCE(sum(c.passes) FILTER (WHERE c.status = 'uninstalled'), 0)::int AS uninstalled
         FROM templates t LEFT JOIN template_pass_counts c ON c.template_id = t.id
        WHERE ${filter} GROUP BY t.id ORDER BY t.id`,
      [value],
    );
    return rows;
  }

  /** Counters of the account's passes with an external id (or one pass), per template. */
  async passCounts(accountId: number, pass: { externalId: string } | { id: number }): Promise<TemplateCounts[]> {
    const [filter, value] = "id" in pass ? ["id = $2", pass.id] : ["external_id = $2", pass.externalId];
    const { rows } = await this.pool.query<TemplateCounts>(
      `SELECT template_id AS id, count(*)::int AS total,
              count(*) FILTER (WHERE status = 'installed')::int AS installed,
              count(*) FILTER (WHERE status = 'uninstalled')::int AS uninstalled
         FROM passes WHERE account_id = $1 AND ${filter} GROUP BY template_id ORDER BY template_id`,
      [accountId, value],
    );
    return rows;
  }

  /** Daily counts between two UTC days (inclusive), per day, platform (by template vendor) and kind. */
  async activity(
    where: { templateId: number } | { projectId: number },
    start: string,
    end: string,
  ): Promise<ActivityRow[]> {
    const [filter, value] =
      "templateId" in where ? ["t.id = $1", where.templateId] : ["t.project_id = $1", where.projectId];
    const { rows } = await this.pool.query<ActivityRow>(
      `SELECT to_char(a.day, 'YYYY-MM-DD') AS day, t.vendor, a.kind, sum(a.count)::int AS count
         FROM daily_activity a JOIN templates t ON t.id = a.template_id
        WHERE ${filter} AND a.day BETWEEN $2::date AND $3::date
        GROUP BY a.day, t.vendor, a.kind ORDER BY a.day`,
      [value, start, end],
    );
    return rows;
  }
}
