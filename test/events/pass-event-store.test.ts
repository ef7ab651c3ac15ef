// The pass-event log: a pass's life as the log records it (in the transactions that made it), and a consumer's
// reads: every committed event once, in order, never skipping one whose transaction committed late.
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prunePassEvents, readPassEvents, recordPassEvents } from "../../src/events/pass-event-store.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPool } from "../helpers/database.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let pool: pg.Pool;
let templateId: number;

beforeAll(async () => {
  server = await startTestServer();
  pool = testPool(server.database.url, 3);
  const project = (await server.call("POST", "/v1/project", { body: { name: "Events", projectType: "loyalty" } })).json;
  templateId = (await server.call("POST", `/v1/template/${project.id}`, { body: appleTemplate })).json.templateId;
});
afterAll(async () => {
  await pool.end();
  await server.close();
});

const kindsOf = async (passId: number) =>
  (
    await pool.query<{ kind: string; platform: string | null; device: string | null }>(
      "SELECT kind, platform, device FROM pass_events WHERE pass_id = $1 ORDER BY id",
      [passId],
    )
  ).rows;

describe("the pass-event log", () => {
  it("records a pass's life: created, updated, voided, installed, uninstalled, notified, deleted", async () => {
    const created = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    await server.call("PUT", `/v1/pass/${created.id}`, { body: { fields: { Coupon: { value: "50%" } } } });
    await server.call("PUT", `/v1/pass/${created.id}`, {
      body: { headers: { expirationDate: { value: "2030-01-01T00:00:00Z", label: "voided" } } },
    });
    const passJson = (await server.call("GET", `/v1/pass/${created.id}/viewJSONPass`)).json;
    const device = `${server.baseUrl}/apple/v1/devices/phone-1/registrations/${passJson.passTypeIdentifier}/${passJson.serialNumber}`;
    const auth = { authorization: `ApplePass ${passJson.authenticationToken}`, "content-type": "application/json" };
    expect((await fetch(device, { method: "POST", headers: auth, body: '{"pushToken":"ab12"}' })).status).toBe(201);
    expect((await fetch(device, { method: "DELETE", headers: auth })).status).toBe(200);
    await server.call("PUT", `/v1/pass/${created.id}/push`);
    await server.call("DELETE", `/v1/pass/${created.id}`);
    expect(await kindsOf(created.id)).toEqual([
      { kind: "created", platform: null, device: null },
      { kind: "updated", platform: null, device: null },
      { kind: "updated", platform: null, device: null },
      { kind: "voided", platform: null, device: null },
      { kind: "installed", platform: "ios", device: "phone-1" },
      { kind: "uninstalled", platform: "ios", device: "phone-1" },
      { kind: "notified", platform: null, device: null },
      { kind: "deleted", platform: null, device: null },
    ]);
  });

  it("records nothing for a change that is refused", async () => {
    const created = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
    const refused = await server.call("PUT", `/v1/pass/${created.id}`, { body: { fields: { nowhere: { value: 1 } } } });
    expect(refused.status).toBe(400);
    expect((await kindsOf(created.id)).map((e) => e.kind)).toEqual(["created"]);
  });

  it("gives a consumer every committed event once, including a transaction that committed late", async () => {
    let position = (await readPassEvents(pool, "0", 100_000)).position;
    // A slow transaction starts first and writes an event, but commits only after a faster one.
    const slow = await pool.connect();
    await slow.query("BEGIN");
    const passId = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json.id;
    await slow.query(
      "INSERT INTO pass_events (pass_id, account_id, template_id, kind) SELECT id, account_id, template_id, 'notified' FROM passes WHERE id = $1",
      [passId],
    );
    await server.call("PUT", `/v1/pass/${passId}`, { body: { fields: { Coupon: { value: "1%" } } } });
    const first = await readPassEvents(pool, position);
    // Events of transactions that began after the slow one wait behind it: nothing can be skipped.
    expect(first.events.filter((e) => e.passId === passId).map((e) => e.kind)).not.toContain("notified");
    position = first.position;
    await slow.query("COMMIT");
    slow.release();
    const seen = [...first.events];
    // Read on until the pass's three events are in (the server's own transactions may hold the horizon briefly).
    const deadline = Date.now() + 10_000;
    while (seen.filter((e) => e.passId === passId).length < 3 && Date.now() < deadline) {
      const next = await readPassEvents(pool, position);
      seen.push(...next.events);
      position = next.position;
      if (next.events.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    const ofPass = seen.filter((e) => e.passId === passId).map((e) => e.kind);
    expect(ofPass.sort()).toEqual(["created", "notified", "updated"]);
    expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  });

  it("pages through a transaction larger than a page, each event once and in order, and prunes by age", async () => {
    const position = (await readPassEvents(pool, "0", 100_000)).position;
    await server.call("PUT", `/v1/template/${templateId}`, { body: { ...appleTemplate, name: "Touch every pass" } });
    // Events show once every older transaction of this database has finished.
    const all = await until(
      () => readPassEvents(pool, position, 100_000),
      (read) => read.events.length > 1,
    );
    // One template change updates every pass in one transaction: pages of 1 read it a part at a time (so a
    // change to a million passes never loads a million events at once), every event once, then move on.
    expect(all.events.length).toBeGreaterThan(1);
    const paged: string[] = [];
    let at = position;
    for (let i = 0; i < 100 && paged.length < all.events.length; i++) {
      const page = await readPassEvents(pool, at, 1);
      expect(page.events.length).toBeLessThanOrEqual(1);
      paged.push(...page.events.map((e) => e.id));
      at = page.position;
    }
    expect(paged).toEqual(all.events.map((e) => e.id));
    expect((await readPassEvents(pool, at, 1)).events).toEqual([]);
    await pool.query(
      "UPDATE pass_events SET at = now() - interval '500 days' WHERE id = (SELECT min(id) FROM pass_events)",
    );
    expect(await prunePassEvents(pool, 400)).toBe(1);
  });

  it("reads in numeric order when ids cross a power of ten (a page of one transaction, and across several)", async () => {
    const passId = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json.id;
    const start = (await readPassEvents(pool, "0", 1_000_000)).position;
    await pool.query("SELECT setval('pass_events_id_seq', 999990)");
    const insert = (n: number) =>
      pool.query(
        `INSERT INTO pass_events (pass_id, account_id, template_id, kind)
         SELECT id, account_id, template_id, 'updated' FROM passes, generate_series(1, $2) WHERE id = $1`,
        [passId, n],
      );
    await insert(15); // ids 999991 … 1000005 in one transaction
    await insert(3);
    await insert(3);
    const read: string[] = [];
    let at = start;
    for (let i = 0; i < 100; i++) {
      const page = await readPassEvents(pool, at, 4);
      read.push(...page.events.filter((e) => e.passId === passId).map((e) => e.id));
      if (page.events.length === 0 && read.length >= 21) break;
      at = page.position;
      if (page.events.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(read).toHaveLength(21);
    expect(read.map(Number)).toEqual([...read.map(Number)].sort((a, b) => a - b));
    expect(new Set(read).size).toBe(21);
  });

  it("never moves a consumer backwards while other transactions take xids around its read", async () => {
    // Transactions that get an xid (and end) as fast as they can, so some are assigned between the horizon's
    // snapshot and its look at the running transactions.
    let running = true;
    const churn = (async () => {
      const client = await pool.connect();
      try {
        while (running) await client.query("BEGIN; SELECT txid_current(); COMMIT;");
      } finally {
        client.release();
      }
    })();
    let position = (await readPassEvents(pool, "0")).position;
    const start = BigInt(position);
    try {
      for (let i = 0; i < 300; i++) {
        const next = (await readPassEvents(pool, position)).position;
        expect(BigInt(next) >= BigInt(position), `${position} -> ${next}`).toBe(true);
        position = next;
      }
    } finally {
      running = false;
      await churn;
    }
    expect(BigInt(position) > start).toBe(true);
  });
});

describe("the log as the outbox", () => {
  const jobs = async () =>
    (
      await pool.query<{ task: string; payload: { passes?: number[][]; passId?: number } }>(
        `SELECT t.identifier AS task, j.payload FROM graphile_worker._private_jobs j
           JOIN graphile_worker._private_tasks t ON t.id = j.task_id
          WHERE t.identifier IN ('pass-changed', 'passes-changed') ORDER BY j.id`,
      )
    ).rows;

  it("queues a pass's delivery in the transaction of the events that change what a phone shows, once per change", async () => {
    const before = (await jobs()).length;
    const ids: number[] = [];
    for (let i = 0; i < 30; i++) ids.push((await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json.id);
    // A pass that was only created has nothing to deliver.
    expect((await jobs()).length).toBe(before);

    const client = await pool.connect();
    try {
      // Rolled back: neither the events nor their delivery.
      await client.query("BEGIN");
      await recordPassEvents(client, ids, "updated");
      await client.query("ROLLBACK");
      expect((await jobs()).length).toBe(before);
      expect(
        (await pool.query("SELECT 1 FROM pass_events WHERE pass_id = $1 AND kind = 'updated'", [ids[0]])).rowCount,
      ).toBe(0);

      // Two kinds of one change (a field and its notification): one delivery of the 30 passes, not two.
      await client.query("BEGIN");
      await recordPassEvents(client, ids, ["updated", "notified"]);
      await client.query("COMMIT");
      const queued = (await jobs()).slice(before);
      expect(queued.map((j) => j.task)).toEqual(["passes-changed"]);
      expect(queued[0]!.payload.passes!.map(([id]) => id)).toEqual(ids);
      expect(await kindsOf(ids[0]!)).toEqual([
        { kind: "created", platform: null, device: null },
        { kind: "updated", platform: null, device: null },
        { kind: "notified", platform: null, device: null },
      ]);

      // What does not change the pass (an install) is logged, and delivers nothing.
      await recordPassEvents(client, ids.slice(0, 2), "installed", { platform: "ios" });
      expect((await jobs()).length).toBe(before + 1);
    } finally {
      client.release();
    }
  });
});
