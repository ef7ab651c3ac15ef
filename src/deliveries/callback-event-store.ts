// Project callbacks from the pass-event log: each installed, uninstalled and personalized event of a pass whose
// project has a callback becomes one delivery, queued exactly once (events/consumer-store.ts).
import type pg from "pg";
import { consumePassEvents, idsOf } from "../events/consumer-store.js";
import { GIVE_UP_AFTER_MS } from "./retry-policy.js";

/** The callback path and topic of each event kind that has one. */
const TOPICS = {
  installed: { topic: "pass.install", path: "'/v1/pass/install'" },
  uninstalled: { topic: "pass.uninstall", path: "'/v1/pass/uninstall'" },
  personalized: { topic: "pass.personalize", path: "'/v1/pass/' || p.id || '/personalize'" },
} as const;

/** Queues the callbacks of the events committed since the last call; returns how many events were read. */
export function queueProjectCallbacks(pool: pg.Pool): Promise<number> {
  return consumePassEvents(pool, "project-callbacks", async (client, events) => {
    for (const [kind, { topic, path }] of Object.entries(TOPICS)) {
      const ids = idsOf(events, kind as keyof typeof TOPICS);
      if (ids.length === 0) continue;
      await client.query(
        `INSERT INTO deliveries (account_id, project_id, pass_event_id, topic, url, path, body, give_up_at)
         SELECT e.account_id, t.project_id, e.id, $2, cb.base_url || ${path}, ${path},
                jsonb_strip_nulls(jsonb_build_object(
                  'passId', p.id, 'templateId', p.template_id, 'serialNumber', p.serial_number,
                  'createdAt', to_char(p.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'updatedAt', to_char(p.updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'externalId', p.external_id, 'platform', COALESCE(e.platform, p.platform),
                  'personalizationInfo', CASE WHEN $2 = 'pass.personalize' THEN p.personalization END)),
                now() + make_interval(secs => $3::double precision / 1000)
           FROM pass_events e
           JOIN passes p ON p.id = e.pass_id
           JOIN templates t ON t.id = e.template_id
           JOIN project_callbacks cb ON cb.project_id = t.project_id
          WHERE e.id = ANY($1::bigint[]) AND e.at >= cb.created_at
          ORDER BY e.id
         ON CONFLICT DO NOTHING`,
        [ids, topic, GIVE_UP_AFTER_MS],
      );
    }
  });
}
