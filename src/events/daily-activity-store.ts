// The statistics consumer of the pass-event log: counts created, installed and uninstalled events per template
// and UTC day into daily_activity, each event once (events/consumer-store.ts). Activity reports read these rows — a few
// per day — instead of the events, and keep working after old events are pruned.
import type pg from "pg";
import { consumePassEvents } from "./consumer-store.js";

export const COUNTED_KINDS = ["created", "installed", "uninstalled"] as const;

/** Counts the events committed since the last call; returns how many events were read. */
export function countDailyActivity(pool: pg.Pool): Promise<number> {
  return consumePassEvents(
    pool,
    "daily-activity",
    async (client, events) => {
      const counted = events.filter((e) => (COUNTED_KINDS as readonly string[]).includes(e.kind));
      if (counted.length === 0) return;
      // The templates are locked against deletion first (key share, in id order): a template deleted before its
      // events are counted is skipped here, and its events are dropped with it (its activity rows went with it),
      // instead of failing the whole batch on the foreign key.
      const { rows } = await client.query<{ id: number }>(
        "SELECT id FROM templates WHERE id = ANY($1::int[]) ORDER BY id FOR KEY SHARE",
        [[...new Set(counted.map((e) => e.templateId))]],
      );
      const alive = new Set(rows.map((r) => r.id));
      const kept = counted.filter((e) => alive.has(e.templateId));
      if (kept.length === 0) return;
      await client.query(
        `INSERT INTO daily_activity (template_id, day, kind, count)
         SELECT e.template_id, (e.at AT TIME ZONE 'UTC')::date, e.kind, count(*)
           FROM unnest($1::int[], $2::timestamptz[], $3::text[]) AS e(template_id, at, kind)
          GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
         ON CONFLICT (template_id, day, kind) DO UPDATE SET count = daily_activity.count + EXCLUDED.count`,
        [kept.map((e) => e.templateId), kept.map((e) => e.at), kept.map((e) => e.kind)],
      );
    },
    5000,
  );
}
