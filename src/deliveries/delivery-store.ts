// The outbound delivery queue (table `deliveries`): one row per POST a callback or webhook owes a receiver, claimed
// by a worker with a lease (a worker that dies mid-attempt leaves the row to come back when the lease ends),
// finished as delivered, rescheduled, or dead-lettered. Dead letters stay, listed and replayable (cli deliveries).
import type { Queryable } from "../db/queryable.js";

export type DeliveryState = "pending" | "delivered" | "dead";

export interface Delivery {
  id: string;
  eventId: string;
  accountId: number;
  projectId: number | null;
  /** The webhook endpoint it goes to; null for a project callback. */
  endpointId: string | null;
  topic: string;
  /** Where it was first owed: the receiver's URL at queueing (attempts go where the receiver is configured then). */
  url: string;
  /** A project callback's path below the callback's base URL; null for a webhook. */
  path: string | null;
  body: unknown;
  state: DeliveryState;
  attempts: number;
  nextAttemptAt: Date;
  giveUpAt: Date;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

/** A delivery's columns, read from the table aliased `d` (the claim's UPDATE joins another relation with an id). */
const COLUMNS = `d.id::text, d.event_id AS "eventId", d.account_id AS "accountId", d.project_id AS "projectId",
  d.endpoint_id AS "endpointId", d.topic, d.url, d.path, d.body, d.state, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.give_up_at AS "giveUpAt",
  d.last_status AS "lastStatus", d.last_error AS "lastError", d.created_at AS "createdAt", d.finished_at AS "finishedAt"`;

/** How long a claimed attempt may run before another worker may take the delivery (≫ the 10 s timeout). */
const LEASE = "2 minutes";

export class DeliveryQueue {
  constructor(private readonly db: Queryable) {}

  /** Takes up to `limit` due deliveries for one attempt each (attempts counted now). */
  async claimDue(limit: number): Promise<Delivery[]> {
    const { rows } = await this.db.query<Delivery>(
      `UPDATE deliveries d SET attempts = d.attempts + 1, next_attempt_at = now() + interval '${LEASE}'
         FROM (SELECT id FROM deliveries WHERE state = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due
        WHERE d.id = due.id
        RETURNING ${COLUMNS}`,
      [limit],
    );
    return rows;
  }

  /** Marks deliveries done, each with the status its receiver answered (one statement for a round). */
  async delivered(done: { id: string; status: number }[]): Promise<void> {
    if (done.length === 0) return;
    await this.db.query(
      `UPDATE deliveries d SET state = 'delivered', last_status = x.status, last_error = NULL, finished_at = now()
         FROM unnest($1::bigint[], $2::int[]) AS x(id, status) WHERE d.id = x.id`,
      [done.map((d) => d.id), done.map((d) => d.status)],
    );
  }

  async retryLater(id: string, delayMs: number, status: number | null, error: string | null): Promise<void> {
    await this.db.query(
      `UPDATE deliveries SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000),
         last_status = $3, last_error = $4 WHERE id = $1`,
      [id, delayMs, status, error],
    );
  }

  async dead(id: string, status: number | null, error: string | null): Promise<void> {
    await this.db.query(
      "UPDATE deliveries SET state = 'dead', last_status = $2, last_error = $3, finished_at = now() WHERE id = $1",
      [id, status, error],
    );
  }

  /** Deliveries in a state (of one project, if given), newest first, after the id `before` (for paging). */
  async list(state: DeliveryState, limit = 100, before?: string, projectId?: number): Promise<Delivery[]> {
    const { rows } = await this.db.query<Delivery>(
      `SELECT ${COLUMNS} FROM deliveries d WHERE d.state = $1 AND ($3::bigint IS NULL OR d.id < $3::bigint)
          AND ($4::int IS NULL OR d.project_id = $4)
        ORDER BY d.id DESC LIMIT $2`,
      [state, limit, before ?? null, projectId ?? null],
    );
    return rows;
  }

  /**
   * Puts dead letters back in the queue (the given ids, or every one): due now, attempts from zero, a new day to
   * succeed in; the event id stays, so a receiver that did get an earlier attempt can tell. Only those of
   * `projectId`, when given. Returns the ids.
   */
  async replay(ids: string[] | "all-dead", giveUpAfterMs: number, projectId?: number): Promise<string[]> {
    const { rows } = await this.db.query<{ id: string }>(
      `UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = now(), finished_at = NULL,
         give_up_at = now() + make_interval(secs => $2::double precision / 1000)
        WHERE state = 'dead' AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
          AND ($3::int IS NULL OR project_id = $3) RETURNING id::text`,
      [ids === "all-dead" ? null : ids, giveUpAfterMs, projectId ?? null],
    );
    return rows.map((r) => r.id);
  }

  /** Drops delivered rows older than `days` (dead letters stay until replayed). */
  async pruneDelivered(days: number): Promise<number> {
    const { rowCount } = await this.db.query(
      "DELETE FROM deliveries WHERE state = 'delivered' AND finished_at < now() - make_interval(days => $1)",
      [days],
    );
    return rowCount ?? 0;
  }
}
