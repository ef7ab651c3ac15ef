// Statistics as Airship reports them: `stats` are counters of passes by install state (a pass installed, removed
// and added again counts once), for the passes of an external id, a template or a project; `activity` is what
// happened per UTC day (created, installed, uninstalled — repeats counted), overall and per platform.
import { InvalidInput } from "../../domain/invalid-input.js";
import { traitsOf } from "../../domain/vendors.js";
import { notFound } from "../../errors.js";
import type { Key } from "../ids.js";
import type { ActivityRow, StatisticsRepository, TemplateCounts } from "./repository.js";

/** The longest activity range one request may ask for. */
export const MAX_ACTIVITY_DAYS = 366;
/** Without dates, activity covers this many days up to today. */
const DEFAULT_DAYS = 30;
const DAY_MS = 86_400_000;

type Counters = { created: number; installed: number; uninstalled: number };

export class StatisticsService {
  constructor(
    private readonly statistics: StatisticsRepository,
    private readonly projects: { findId(accountId: number, key: Key): Promise<number | null> },
    private readonly templates: { require(accountId: number, key: Key): Promise<{ id: number }> },
    private readonly now: () => number,
  ) {}

  async passStats(accountId: number, pass: { externalId: string } | { id: number }) {
    const rows = await this.statistics.passCounts(accountId, pass);
    if (rows.length === 0) throw notFound("Pass");
    return summary(rows);
  }

  async templateStats(accountId: number, key: Key) {
    const template = await this.templates.require(accountId, key);
    return summary(await this.statistics.templateCounts({ templateId: template.id }));
  }

  async projectStats(accountId: number, key: Key) {
    return summary(await this.statistics.templateCounts({ projectId: await this.projectId(accountId, key) }));
  }

  async templateActivity(accountId: number, key: Key, start?: string, end?: string) {
    const template = await this.templates.require(accountId, key);
    const range = this.range(start, end);
    return {
      templateId: template.id,
      ...range,
      ...days(await this.statistics.activity({ templateId: template.id }, range.start, range.end)),
    };
  }

  async projectActivity(accountId: number, key: Key, start?: string, end?: string) {
    const projectId = await this.projectId(accountId, key);
    const range = this.range(start, end);
    return { projectId, ...range, ...days(await this.statistics.activity({ projectId }, range.start, range.end)) };
  }

  private async projectId(accountId: number, key: Key) {
    const id = await this.projects.findId(accountId, key);
    if (id === null) throw notFound("Project");
    return id;
  }

  /** The UTC days asked for: both dates, or the last 30 days; YYYY-MM-DD, start ≤ end, at most 366 days. */
  private range(start?: string, end?: string): { start: string; end: string } {
    const problems: string[] = [];
    const parse = (value: string, name: string) => {
      const ms = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
      if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
        problems.push(`${name} must be a date as YYYY-MM-DD`);
      }
      return ms;
    };
    const today = new Date(this.now()).toISOString().slice(0, 10);
    const endMs = end === undefined ? Date.parse(`${today}T00:00:00Z`) : parse(end, "end date");
    const startMs = start === undefined ? endMs - (DEFAULT_DAYS - 1) * DAY_MS : parse(start, "start date");
    if (problems.length === 0 && startMs > endMs) problems.push("the start date is after the end date");
    if (problems.length === 0 && (endMs - startMs) / DAY_MS + 1 > MAX_ACTIVITY_DAYS) {
      problems.push(`a range covers at most ${MAX_ACTIVITY_DAYS} days`);
    }
    if (problems.length) throw new InvalidInput(problems);
    const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
    return { start: day(startMs), end: day(endMs) };
  }
}

function summary(rows: TemplateCounts[]) {
  const sum = (key: "total" | "installed" | "uninstalled") => rows.reduce((n, r) => n + r[key], 0);
  return {
    total: sum("total"),
    installed: sum("installed"),
    uninstalled: sum("uninstalled"),
    templates: rows.map((r) => ({ id: r.id, total: r.total, installed: r.installed, uninstalled: r.uninstalled })),
  };
}

/** Rows → one entry per day with activity, overall and per platform, and the range's totals. */
function days(rows: ActivityRow[]) {
  const zero = (): Counters => ({ created: 0, installed: 0, uninstalled: 0 });
  const byDay = new Map<string, Counters & { ios: Counters; android: Counters }>();
  const totals = { ...zero(), ios: zero(), android: zero() };
  for (const row of rows) {
    const kind = row.kind as keyof Counters;
    const platform = traitsOf(row.vendor).platform;
    let day = byDay.get(row.day);
    if (!day) {
      day = { ...zero(), ios: zero(), android: zero() };
      byDay.set(row.day, day);
    }
    day[kind] += row.count;
    day[platform][kind] += row.count;
    totals[kind] += row.count;
    totals[platform][kind] += row.count;
  }
  return { activity: [...byDay].map(([date, counts]) => ({ date, ...counts })), totals };
}
