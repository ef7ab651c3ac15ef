// The pass-event log: one append-only row per thing that happened to a pass (created, updated, installed,
// uninstalled, personalized, voided, expired, notified, deleted), written with SQL in the transaction of the change
// itself, so a committed change always has its event and a rolled-back one never does. The log is the outbox:
// its follower (the job queue, subscribed by composition.ts) queues the delivery to phones (APNs, Google) in that
// same transaction; callbacks, webhooks and statistics read the log afterwards. See docs/jobs.md.
import type { Queryable } from "../db/queryable.js";

export const PASS_EVENT_KINDS = [
  "created",
  "updated",
  "installed",
  "uninstalled",
  "personalized",
  "voided",
  "expired",
  "notified",
  "deleted",
] as const;
export type PassEventKind = (typeof PASS_EVENT_KINDS)[number];

/** The passes an event is about: given ids, or every pass of a template. */
export type PassSelection = number[] | { templateId: number };

export interface EventContext {
  platform?: "ios" | "android";
  device?: string;
}

/**
 * What follows the log inside the writer's transaction: told of every append (the passes and the kinds), it acts
 * in the same transaction, so a committed event always has what follows from it.
 */
export type PassEventFollower = (
  db: Queryable,
  passes: PassSelection,
  kinds: readonly PassEventKind[],
) => Promise<void>;

let follower: PassEventFollower | undefined;

/** Subscribes the log's follower (composition.ts subscribes the job queue; one per process). */
export function followPassEvents(next: PassEventFollower): void {
  follower = next;
}

/**
 * Appends one event of each kind (in order) for each selected pass, at its current version, and tells the
 * follower once. Several kinds of one change go in one call, so what follows from them happens once.
 */
export async function recordPassEvents(
  db: Queryable,
  passes: PassSelection,
  kinds: PassEventKind | readonly PassEventKind[],
  context: EventContext = {},
): Promise<void> {
  if (Array.isArray(passes) && passes.length === 0) return;
  // Fail closed: an event nobody follows would be a change that never reaches a phone.
  if (!follower) throw new Error("The pass-event log has no follower: compose the services first (composition.ts)");
  const list: readonly PassEventKind[] = typeof kinds === "string" ? [kinds] : kinds;
  const [where, value] = Array.isArray(passes)
    ? ["p.id = ANY($1::int[])", passes]
    : ["p.template_id = $1", passes.templateId];
  await db.query(
    `INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, platform, device)
     SELECT p.id, p.account_id, p.template_id, k.kind, p.version, $3, $4
       FROM passes p CROSS JOIN unnest($2::text[]) WITH ORDINALITY k(kind, n) WHERE ${where} ORDER BY p.id, k.n`,
    [value, list, context.platform ?? null, context.device ?? null],
  );
  await follower(db, passes, list);
}

export interface PassEvent {
  id: string;
  passId: number;
  accountId: number;
  templateId: number;
  kind: PassEventKind;
  version: number | null;
  platform: string | null;
  device: string | null;
  at: Date;
}

/**
 * The horizon: the oldest transaction of this database still writing (its 32-bit xid widened to the 64-bit txid
 * the events carry), or the next transaction id when none is. Every event below it is committed or rolled back.
 * Only this database's sessions count: a long transaction elsewhere on the server holds nobody back. A
 * transaction that has not written yet has no xid, and gets one above the horizon when it does. A 32-bit xid is
 * widened with the snapshot's epoch; only one far above the snapshot (more than 2^31) is from the previous epoch —
 * one just above it was assigned after the snapshot was taken, and LEAST leaves the horizon at xmax then.
 */
const HORIZON_SQL = `
  WITH next AS (SELECT txid_snapshot_xmax(txid_current_snapshot()) AS xmax),
       running AS (
         SELECT ((n.xmax >> 32) << 32) + a.backend_xid::text::bigint AS txid, n.xmax
           FROM pg_stat_activity a, next n
          WHERE a.datname = current_database() AND a.backend_xid IS NOT NULL AND a.pid <> pg_backend_pid())
  SELECT LEAST(
           (SELECT xmax FROM next),
           (SELECT min(CASE WHEN txid - xmax > 2147483648 THEN txid - 4294967296 ELSE txid END) FROM running)
         )::text AS xmin`;

/**
 * The events of every transaction that finished since a consumer's last read, in order. `after` is the position
 * the previous read returned (start with "0"). A position is a transaction horizon: every transaction below it has
 * committed or rolled back, so no event can appear behind a consumer that advanced to it — each committed event is
 * read once (at-least-once delivery comes from the consumer storing the position after handling the events). A
 * transaction with more events than a page (a template change reaching a million passes) is read a page at a time:
 * its position is then "<tx>:<last id read>".
 */
export async function readPassEvents(
  db: Queryable,
  after: string,
  limit = 1000,
): Promise<{ events: PassEvent[]; position: string }> {
  const [afterTx = "0", afterId = "0"] = after.split(":");
  const { rows: horizon } = await db.query<{ xmin: string }>(HORIZON_SQL);
  const xmin = horizon[0]!.xmin;
  const { rows } = await db.query<PassEvent & { tx: string }>(
    `SELECT id::text, pass_id AS "passId", account_id AS "accountId", template_id AS "templateId", kind, version,
            platform, device, at, tx::text
       FROM pass_events WHERE (tx, id) > ($1::bigint, $4::bigint) AND tx < $2::bigint
      ORDER BY pass_events.tx, pass_events.id LIMIT $3`,
    [afterTx, xmin, limit + 1, afterId],
  );
  if (rows.length <= limit) return { events: rows.map(withoutTx), position: xmin };
  // A full page: stop before the last transaction it reached (its events may continue on the next page).
  const lastTx = rows[limit]!.tx;
  const page = rows.filter((r) => BigInt(r.tx) < BigInt(lastTx));
  if (page.length > 0) return { events: page.map(withoutTx), position: lastTx };
  // One transaction larger than a page: this page of it, and where in it to go on.
  const part = rows.slice(0, limit);
  return { events: part.map(withoutTx), position: `${lastTx}:${part[part.length - 1]!.id}` };
}

function withoutTx(row: PassEvent & { tx: string }): PassEvent {
  const { tx: _tx, ...event } = row;
  return event;
}

/** A pass's events, newest first, below the id `before` (for paging): its history while the log keeps it. */
export async function passHistory(
  db: Queryable,
  passId: number,
  limit: number,
  before?: string,
): Promise<Omit<PassEvent, "passId" | "accountId" | "templateId">[]> {
  const { rows } = await db.query<Omit<PassEvent, "passId" | "accountId" | "templateId">>(
    `SELECT id::text, kind, version, platform, device, at FROM pass_events
      WHERE pass_id = $1 AND ($3::bigint IS NULL OR id < $3::bigint) ORDER BY id DESC LIMIT $2`,
    [passId, limit, before ?? null],
  );
  return rows;
}

/** Deletes events older than `days` (the log's retention); returns how many went. */
export async function prunePassEvents(db: Queryable, days: number): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    "WITH gone AS (DELETE FROM pass_events WHERE at < now() - make_interval(days => $1) RETURNING 1) SELECT count(*)::int AS n FROM gone",
    [days],
  );
  return rows[0]?.n ?? 0;
}
