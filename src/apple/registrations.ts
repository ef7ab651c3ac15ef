// Device registrations of the PassKit web service, and the install state they imply: a pass with a registered
// device is installed on iOS; when its last registration goes, it is uninstalled.
import type pg from "pg";
import { type Clock, systemClock } from "../clock.js";
import { inTransaction } from "../db/transaction.js";
import { recordPassEvents } from "../events/pass-events.js";
import type { Queryable } from "../jobs/queue.js";

/**
 * Changes committed by a transaction carry that transaction's start time. A change whose transaction was still
 * running when a device asked may therefore be older than what the device saw. Changes younger than this are
 * treated as unsettled: they are reported again and never answered with 304.
 */
export const SETTLE_MS = 30_000;

/** Devices one pass may be registered on (generous: a shared link hands one pass to many phones). */
export const MAX_DEVICES_PER_PASS = 100_000;

export interface PushTarget {
  pushToken: string;
  topic: string;
  projectId: number;
}

export class Registrations {
  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock = systemClock,
  ) {}

  /**
   * Registers (or refreshes) a device for a pass: "created" when new, "refreshed" when known, "full" when the
   * pass already has `maxDevices` other devices (a shared pass reaches many phones, but not without end).
   */
  async register(
    device: string,
    passId: number,
    passTypeIdentifier: string,
    pushToken: string,
    maxDevices = MAX_DEVICES_PER_PASS,
  ): Promise<"created" | "refreshed" | "full"> {
    return inTransaction(this.pool, async (client) => {
      const { rows: room } = await client.query<{ known: boolean; devices: number }>(
        `SELECT EXISTS (SELECT 1 FROM apple_registrations WHERE device_library_identifier = $1 AND pass_id = $2) AS known,
                (SELECT count(*)::int FROM (SELECT 1 FROM apple_registrations WHERE pass_id = $2 LIMIT $3) c) AS devices`,
        [device, passId, maxDevices],
      );
      if (!room[0]?.known && (room[0]?.devices ?? 0) >= maxDevices) return "full";
      const { rows } = await client.query<{ inserted: boolean }>(
        `INSERT INTO apple_registrations (device_library_identifier, pass_id, pass_type_identifier, push_token)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (device_library_identifier, pass_id) DO UPDATE SET push_token = EXCLUDED.push_token
         RETURNING (xmax = 0) AS inserted`,
        [device, passId, passTypeIdentifier, pushToken],
      );
      // A device has one push token: keep its other registrations current too.
      await client.query(
        "UPDATE apple_registrations SET push_token = $2 WHERE device_library_identifier = $1 AND push_token <> $2",
        [device, pushToken],
      );
      const inserted = rows[0]?.inserted === true;
      if (inserted) {
        // The pass is installed when its first device registers (a further device is not a new install, as the
        // last one leaving is its one uninstall).
        const { rows: before } = await client.query<{ status: string }>(
          "SELECT status FROM passes WHERE id = $1 FOR UPDATE",
          [passId],
        );
        if (before[0]?.status !== "installed") {
          await recordPassEvents(client, [passId], "installed", { platform: "ios", device });
        }
        await client.query(
          `UPDATE passes SET installs = installs + 1, public_url_used = (public_url_type IS NOT NULL),
             installed_at = CASE WHEN status = 'installed' THEN installed_at ELSE now() END,
             status = 'installed', platform = 'ios', uninstalled_at = NULL
           WHERE id = $1`,
          [passId],
        );
      }
      return inserted ? "created" : "refreshed";
    });
  }

  /** Removes a registration; the pass becomes uninstalled when no device is left. False when there was none. */
  async unregister(device: string, passId: number, db: Queryable = this.pool): Promise<boolean> {
    const { rows } = await db.query<{ removed: number }>(
      `WITH removed AS (
         DELETE FROM apple_registrations WHERE device_library_identifier = $1 AND pass_id = $2 RETURNING pass_id
       ), uninstalled AS (
         UPDATE passes SET status = 'uninstalled', uninstalled_at = now()
          WHERE id IN (SELECT pass_id FROM removed) AND status = 'installed'
            AND NOT EXISTS (SELECT 1 FROM apple_registrations r
                             WHERE r.pass_id = $2 AND r.device_library_identifier <> $1)
         RETURNING id
       ), logged AS (
         -- One uninstall per pass: when its last device leaves.
         INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, platform, device)
         SELECT p.id, p.account_id, p.template_id, 'uninstalled', p.version, 'ios', $1
           FROM passes p WHERE p.id IN (SELECT id FROM uninstalled)
       )
       SELECT (SELECT count(*) FROM removed)::int AS removed, (SELECT count(*) FROM uninstalled) AS u`,
      [device, passId],
    );
    return (rows[0]?.removed ?? 0) > 0;
  }

  /**
   * Serial numbers of the device's passes of this type changed since `since` (ms tag), and the new tag. The tag
   * never runs ahead of settled time, so a change committed late is still reported.
   */
  async updatedSince(
    device: string,
    passTypeIdentifier: string,
    since: number | undefined,
    db: Queryable = this.pool,
  ): Promise<{ serialNumbers: string[]; lastUpdated: string }> {
    const { rows } = await db.query<{ serial_number: string; changed: string }>({
      name: "apple-updated-since",
      text: `SELECT p.serial_number, (extract(epoch FROM p.updated_at) * 1000)::bigint AS changed
               FROM apple_registrations r JOIN passes p ON p.id = r.pass_id
              WHERE r.device_library_identifier = $1 AND r.pass_type_identifier = $2
                AND ($3::bigint IS NULL OR p.updated_at > to_timestamp($3::bigint / 1000.0))
              ORDER BY p.id`,
      values: [device, passTypeIdentifier, since ?? null],
    });
    const newest = rows.reduce((max, row) => Math.max(max, Number(row.changed)), since ?? 0);
    const settled = this.clock.now() - SETTLE_MS;
    const lastUpdated = Math.max(since ?? 0, Math.min(newest, settled));
    return { serialNumbers: rows.map((r) => r.serial_number), lastUpdated: String(lastUpdated) };
  }

  /**
   * The devices to notify about these passes: one per push token and pass type (the APNs topic), with a project
   * whose identity signs that type (for certificate authentication).
   */
  async pushTargets(passIds: number[], db: Queryable = this.pool): Promise<PushTarget[]> {
    if (passIds.length === 0) return [];
    const { rows } = await db.query<{ push_token: string; pass_type_identifier: string; project_id: number }>({
      name: "apple-push-targets",
      text: `SELECT DISTINCT ON (r.push_token, r.pass_type_identifier) r.push_token, r.pass_type_identifier, t.project_id
               FROM apple_registrations r JOIN passes p ON p.id = r.pass_id JOIN templates t ON t.id = p.template_id
              WHERE r.pass_id = ANY($1::int[])`,
      values: [passIds],
    });
    return rows.map((r) => ({ pushToken: r.push_token, topic: r.pass_type_identifier, projectId: r.project_id }));
  }

  /** Forgets a push token APNs reported as no longer valid (every registration of that device). */
  async removePushToken(pushToken: string, db: Queryable = this.pool): Promise<void> {
    const { rows } = await db.query<{ pass_id: number }>(
      "DELETE FROM apple_registrations WHERE push_token = $1 RETURNING pass_id",
      [pushToken],
    );
    const passIds = [...new Set(rows.map((r) => r.pass_id))];
    if (passIds.length === 0) return;
    // Each pass left with no device is uninstalled, with its event (callbacks and statistics follow it).
    await db.query(
      `WITH uninstalled AS (
         UPDATE passes SET status = 'uninstalled', uninstalled_at = now()
          WHERE id = ANY($1::int[]) AND status = 'installed'
            AND NOT EXISTS (SELECT 1 FROM apple_registrations r WHERE r.pass_id = passes.id)
         RETURNING id, account_id, template_id, version)
       INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, platform)
       SELECT id, account_id, template_id, 'uninstalled', version, 'ios' FROM uninstalled`,
      [passIds],
    );
  }
}
