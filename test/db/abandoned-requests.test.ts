// A request abandoned by its client stops its database work: here the request waits for a row lock another
// transaction holds, its client goes away, and its statement leaves Postgres within about a second (the connection
// check) instead of waiting, with its connection, for as long as the lock is held. Nothing is written, and the
// server keeps serving on the connections it has left.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { basic, pointsTemplate, startTestServer, type TestServer } from "../helpers/app.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let holder: pg.Client;
let templateId: number;

beforeAll(async () => {
  server = await startTestServer();
  holder = new pg.Client({ connectionString: server.database.url });
  await holder.connect();
  ({ templateId } = await pointsTemplate(server, "Gone"));
});
afterAll(async () => {
  await holder?.end();
  await server?.close();
});

/** The server's statements waiting for a lock (the holder's own connection excluded). */
const waiting = async () =>
  (
    await server.database.query(
      `SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
      [(holder as unknown as { processID: number }).processID],
    )
  ).rowCount;

it("stops the statements of a request whose client went away", async () => {
  const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
  await holder.query("BEGIN");
  await holder.query("SELECT 1 FROM passes WHERE id = $1 FOR UPDATE", [pass.id]);
  try {
    const client = new AbortController();
    const request = fetch(`${server.baseUrl}/v1/pass/${pass.id}`, {
      method: "PUT",
      headers: { authorization: basic(server.credentials), "content-type": "application/json" },
      body: JSON.stringify({ fields: { Points: { value: "9" } } }),
      signal: client.signal,
    }).catch(() => "gone");
    expect(await until(waiting, (n) => n === 1, 5000)).toBe(1);
    client.abort();
    expect(await request).toBe("gone");
    // Within a few connection checks, while the lock is still held.
    expect(await until(waiting, (n) => n === 0, 5000)).toBe(0);
  } finally {
    await holder.query("ROLLBACK");
  }
  expect((await server.call("GET", `/v1/pass/${pass.id}`)).json.fields.Points.value).toBe("0");
  for (let i = 0; i < 8; i++) expect((await server.call("GET", `/v1/pass/${pass.id}`)).status).toBe(200);
});
