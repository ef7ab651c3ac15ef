// Device registrations of the PassKit web service, and the install state they imply: a pass with a registered
// device is installed on iOS; when its last registration goes, it is uninstalled.
import type pg from "pg";
import { type Clock, systemClock } from "../clock.js";
import type { Queryable } from "../db/queryable.js";
import { inTransaction } from "../db/transaction.js";
import type { InstallationPage } from "../domain/wallet-port.js";

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
   * pass already has `maxDevices` other devices (a shared pass reaches many phones, but not without end), "gone"
   * when the pass was deleted meanwhile.
   */
  async register(
    device: string,
    passId: number,
    passTypeIdentifier: string,
    pushToken: string,
    maxDevices = MAX_DEVICES_PER_PASS,
  ): Promise<"created" | "refreshed" | "full" | "gone"> {
    // A known device (Wallet registers again now and then) only refreshes its token: one row, no pass lock.
    const refreshed = await this.pool.query(
      "UPDATE apple_registrations SET push_token = $3 WHERE device_library_identifier = $1 AND pass_id = $2",
      [device, passId, pushToken],
    );
    let outcome: "created" | "refreshed" | "full" | "gone" = "refreshed";
    if (refreshed.rowCount === 0) {
      // One statement, so the pass row is held for as short a time as possible: a crowd of first registrations of
      // one shared pass queues on that row lock, one statement at a time (docs/concurrency.md). The pass row is
      // locked first; the row read by `pass` is its latest version, so exactly one registration sees the pass not
      // installed yet and records its install. The device count is read as of the statement's start: a burst can
      // pass the limit by at most the registrations in flight with it.
      const { rows } = await this.pool.query<{ found: boolean; devices: number; inserted: boolean | null }>({
        name: "apple-register",
        text: `WITH pass AS (
                 SELECT id, status FROM passes WHERE id = $2 FOR NO KEY UPDATE
               ), room AS (
                 SELECT count(*)::int AS devices FROM (SELECT 1 FROM apple_registrations WHERE pass_id = $2 LIMIT $5) c
               ), registered AS (
                 INSERT INTO apple_registrations (device_library_identifier, pass_id, pass_type_identifier, push_token)
                 SELECT $1, pass.id, $3, $4 FROM pass, room WHERE room.devices < $5
                 ON CONFLICT (device_library_identifier, pass_id) DO UPDATE SET push_token = EXCLUDED.push_token
                 RETURNING (xmax = 0) AS inserted
               ), installed AS (
                 UPDATE passes SET installs = installs + 1, public_url_used = (public_url_type IS NOT NULL),
                   installed_at = CASE WHEN status = 'installed' THEN installed_at ELSE now() END,
                   status = 'installed', platform = 'ios', uninstalled_at = NULL
                  WHERE id = $2 AND EXISTS (SELECT 1 FROM registered WHERE inserted)
                 RETURNING id, account_id, template_id, version
               ), logged AS (
                 -- The pass is installed when its first device registers (a further device is not a new install,
                 -- as the last one leaving is its one uninstall).
                 INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, platform, device)
                 SELECT i.id, i.account_id, i.template_id, 'installed', i.version, 'ios', $1
                   FROM installed i, pass WHERE pass.status <> 'installed'
               )
               SELECT EXISTS (SELECT 1 FROM pass) AS found, (SELECT devices FROM room) AS devices,
                      (SELECT inserted FROM registered) AS inserted`,
        values: [device, passId, passTypeIdentifier, pushToken, maxDevices],
      });
      const row = rows[0]!;
      outcome = !row.found ? "gone" : row.inserted === null ? "full" : row.inserted ? "created" : "refreshed";
    }
    if (outcome === "created" || outcome === "refreshed") {
      // A device has one push token: keep its other registrations current too. Apart from the transaction above,
      // which then holds one pass row at a time, never rows of other passes.
      await this.pool.query(
        "UPDATE apple_registrations SET push_token = $2 WHERE device_library_identifier = $1 AND push_token <> $2",
        [device, pushToken],
      );
    }
    return outcome;
  }

  /** Removes a registration; the pass becomes uninstalled when no device is left. False when there was none. */
  async unregister(device: string, passId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      "SELECT 1 FROM apple_registrations WHERE device_library_identifier = $1 AND pass_id = $2",
      [device, passId],
    );
    if (rowCount === 0) return false;
    return inTransaction(this.pool, async (client) => {
      // The pass row first, as registrations take it, then the device's row.
      await client.query("SELECT 1 FROM passes WHERE id = $1 FOR NO KEY UPDATE", [passId]);
      const removed = await client.query(
        "DELETE FROM apple_registrations WHERE device_library_identifier = $1 AND pass_id = $2",
        [device, passId],
      );
      if (removed.rowCount === 0) return false;
      // One uninstall per pass: when its last device leaves.
      await client.query(
        `WITH uninstalled AS (
           UPDATE passes SET status = 'uninstalled', uninstalled_at = now()
            WHERE id = $2 AND status = 'installed'
              AND NOT EXISTS (SELECT 1 FROM apple_registrations r WHERE r.pass_id = $2)
           RETURNING id, account_id, template_id, version)
         INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, platform, device)
         SELECT id, account_id, template_id, 'uninstalled', version, 'ios', $1 FROM uninstalled`,
        [device, passId],
      );
      return true;
    });
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

  /** The devices the pass is registered on (its installations), oldest first: `limit` of them from `offset`. */
  async devicesOf(
    passId: number,
    page: { offset: number; limit: number },
    db: Queryable = this.pool,
  ): Promise<InstallationPage> {
    const [count, rows] = await Promise.all([
      db.query<{ n: number }>("SELECT count(*)::int AS n FROM apple_registrations WHERE pass_id = $1", [passId]),
      db.query<{ device: string; since: Date }>(
        `SELECT device_library_identifier AS device, created_at AS since FROM apple_registrations
          WHERE pass_id = $1 ORDER BY created_at, device_library_identifier LIMIT $2 OFFSET $3`,
        [passId, page.limit, page.offset],
      ),
    ]);
    return {
      count: count.rows[0]!.n,
      rows: rows.rows.map((r) => ({ platform: "ios" as const, device: r.device, since: r.since })),
    };
  }

  /**
   * The devices to notify about these passes: one per push token and pass type (the APNs topic), with a project
   * whose identity signs that type (for certificate authentication).
   */
  async pushTargets(passIds: number[], db: Queryable = this.pool): Promise<PushTarget[]> {
    if (passIds.length === 0) return [];
    const { rows } = await db.query<{ push_token: string; pass_type_identifier: string; project_id: number }>({
      name: "apple-push-targets",
      text: `SELECT DISTINCT ON (r.push_token, r.pass_type_identifier) r.push_token, r.pass_type_identifier, f.project_id
               FROM apple_registrations r JOIN pass_facts f ON f.id = r.pass_id
              WHERE r.pass_id = ANY($1::int[])`,
      values: [passIds],
    });
    return rows.map((r) => ({ pushToken: r.push_token, topic: r.pass_type_identifier, projectId: r.project_id }));
  }

  /** Forgets a push token APNs reported as no longer valid (every registration of that device). */
  async removePushToken(pushToken: string): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      // Its passes first, in id order, then their registrations (docs/concurrency.md).
      const { rows } = await client.query<{ id: number }>(
        `SELECT id FROM passes WHERE id IN (SELECT pass_id FROM apple_registrations WHERE push_token = $1)
          ORDER BY id FOR NO KEY UPDATE`,
        [pushToken],
      );
      if (rows.length === 0) return;
      const passIds = rows.map((r) => r.id);
      await client.query("DELETE FROM apple_registrations WHERE push_token = $1 AND pass_id = ANY($2::int[])", [
        pushToken,
        passIds,
      ]);
      // Each pass left with no device is uninstalled, with its event (callbacks and statistics follow it).
      await client.query(
        `WITH uninstalled AS (
           UPDATE passes SET status = 'uninstalled', uninstalled_at = now()
            WHERE id = ANY($1::int[]) AND status = 'installed'
              AND NOT EXISTS (SELECT 1 FROM apple_registrations r WHERE r.pass_id = passes.id)
           RETURNING id, account_id, template_id, version)
         INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, platform)
         SELECT id, account_id, template_id, 'uninstalled', version, 'ios' FROM uninstalled`,
        [passIds],
      );
    });
  }
}
