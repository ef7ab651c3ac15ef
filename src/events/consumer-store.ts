// A reader of the pass-event log that remembers how far it got (table event_cursors): each call hands the events
// committed since its last position to `handle` in the same transaction that advances the position — so every
// event is handled exactly once, even with several workers (the cursor row is locked) or a crash between the two
// (both roll back together).
import type pg from "pg";
import { inTransaction } from "../db/transaction.js";
import { type PassEvent, readPassEvents } from "./pass-event-store.js";

/** Handles the next batch of events for `consumer`; returns how many events were read (0: none new). */
export async function consumePassEvents(
  pool: pg.Pool,
  consumer: string,
  handle: (client: pg.PoolClient, events: PassEvent[]) => Promise<void>,
  batch = 1000,
): Promise<number> {
  return inTransaction(pool, async (client) => {
    await client.query("INSERT INTO event_cursors (consumer) VALUES ($1) ON CONFLICT DO NOTHING", [consumer]);
    const { rows } = await client.query<{ position: string }>(
      "SELECT position || ':' || position_id AS position FROM event_cursors WHERE consumer = $1 FOR UPDATE",
      [consumer],
    );
    const { events, position } = await readPassEvents(client, rows[0]!.position, batch);
    if (events.length > 0) await handle(client, events);
    const [tx, id = "0"] = position.split(":");
    await client.query("UPDATE event_cursors SET position = $2::bigint, position_id = $3::bigint WHERE consumer = $1", [
      consumer,
      tx,
      id,
    ]);
    return events.length;
  });
}

/** The ids of the events of one kind. */
export const idsOf = (events: PassEvent[], kind: PassEvent["kind"]) =>
  events.filter((e) => e.kind === kind).map((e) => e.id);
