// Badge webhooks from the pass-event log: an installed event of a Badge pass is `pass.activated` (added to a
// wallet, or its updates turned back on), an uninstalled one `pass.deactivated` (removed, or updates turned off).
// Each becomes one delivery per enabled endpoint of the account listening to that topic, queued exactly once
// (events/consumer-store.ts); the body is fixed now, the signature is made at each attempt (webhook-signing.ts).
import type pg from "pg";
import { consumePassEvents, idsOf } from "../events/consumer-store.js";
import { GIVE_UP_AFTER_MS } from "./retry-policy.js";

export const WEBHOOK_TOPICS = ["pass.activated", "pass.deactivated"] as const;
export type WebhookTopic = (typeof WEBHOOK_TOPICS)[number];

const KINDS = { installed: "pass.activated", uninstalled: "pass.deactivated" } as const;

/** Queues the webhooks of the events committed since the last call; returns how many events were read. */
export function queueBadgeWebhooks(pool: pg.Pool): Promise<number> {
  return consumePassEvents(pool, "badge-webhooks", async (client, events) => {
    for (const [kind, topic] of Object.entries(KINDS)) {
      const ids = idsOf(events, kind as keyof typeof KINDS);
      if (ids.length === 0) continue;
      await client.query(
        `INSERT INTO deliveries (account_id, project_id, endpoint_id, pass_event_id, topic, url, body, give_up_at)
         SELECT e.account_id, t.project_id, w.id, e.id, $2, w.url,
                jsonb_build_object(
                  'type', $2::text,
                  'timestamp', to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                  'data', jsonb_build_object(
                    'pass', jsonb_build_object('id', b.badge_pass_id,
                                               'passTemplateId', COALESCE(t.external_id, t.id::text)),
                    'user', jsonb_build_object('id', b.user_id),
                    'platform', COALESCE(e.platform, p.platform))),
                now() + make_interval(secs => $3::double precision / 1000)
           FROM pass_events e
           JOIN badge_passes b ON b.pass_id = e.pass_id
           JOIN passes p ON p.id = e.pass_id
           JOIN templates t ON t.id = b.template_id
           JOIN webhook_endpoints w ON w.account_id = b.account_id AND w.enabled AND $2 = ANY(w.enabled_topics)
          WHERE e.id = ANY($1::bigint[]) AND e.at >= w.created_at
          ORDER BY e.id, w.id
         ON CONFLICT DO NOTHING`,
        [ids, topic, GIVE_UP_AFTER_MS],
      );
    }
  });
}
