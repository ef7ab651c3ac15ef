// The statistics consumer of the pass-event log: counts created, installed and uninstalled events per template
// and UTC day into daily_activity, each event once (events/consumer.ts). Activity reports read these rows — a few
// per day — instead of the events, and keep working after old events are pruned.
import type pg from "pg";
import { consumePassEvents } from "./consumer.js";

export const COUNTED_KINDS = ["created", "installed", "uninstalled"] as const;

/** Counts the events committed since the last call; returns how many events were read. */
export function countDailyActivity(pool: pg.Pool): Promise<number> {
  return consumePassEvents(
    pool,
    "daily-activity",
    async (client, events) => {
      const counted = events.filter((e) => (COUNTED_KINDS as readonly string[]).includes(e.kind));
      if (counted.length === 0) return;
      await client.query(
        `INSERT INTO daily_activity (template_id, day, kind, count)
         SELECT e.template_id, (e.at AT TIME ZONE 'UTC')::date, e.kind, count(*)
           FROM unnest($1::int[], $2::timestamptz[], $3::text[]) AS e(template_id, at, kind)
          WHERE EXISTS (SELECT 1 FROM templates t WHERE t.id = e.template_id)
          GROUP BY 1, 2, 3
         ON CONFLICT (template_id, day, kind) DO UPDATE SET count = daily_activity.count + EXCLUDED.count`,
        [counted.map((e) => e.templateId), counted.map((e) => e.at), counted.map((e) => e.kind)],
      );
    },
    5000,
  );
}
