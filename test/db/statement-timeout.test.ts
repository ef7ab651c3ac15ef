// The database time limit of a request: a statement that runs (or waits for a lock) longer than the pool's
// statement timeout is cancelled by Postgres and the request answers 503 QUERY_TIMEOUT, having written nothing;
// the connection goes back to the pool and the next request is served. A change that reaches every pass of a
// template may run longer by design (its transaction raises the limit).
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { pointsTemplate, startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let holder: pg.Client;
let templateId: number;

beforeAll(async () => {
  server = await startTestServer({ statementTimeoutMs: 400 });
  holder = new pg.Client({ connectionString: server.database.url });
  await holder.connect();
  ({ templateId } = await pointsTemplate(server, "Slow"));
});
afterAll(async () => {
  await holder?.end();
  await server?.close();
});

/** Holds a lock on the pass row (as a long transaction elsewhere would) while `during` runs. */
async function whileLocked<T>(passId: number, during: () => Promise<T>): Promise<T> {
  await holder.query("BEGIN");
  await holder.query("SELECT 1 FROM passes WHERE id = $1 FOR UPDATE", [passId]);
  try {
    return await during();
  } finally {
    await holder.query("ROLLBACK");
  }
}

it("answers 503 QUERY_TIMEOUT when a statement passes the limit, writes nothing, and serves the next request", async () => {
  const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
  const tickets = (await server.database.query("SELECT count(*) FROM tickets")).rows;
  const answer = await whileLocked(pass.id, () =>
    server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: { Points: { value: "5" } } } }),
  );
  expect(answer.status).toBe(503);
  expect(answer.json).toMatchObject({ code: "QUERY_TIMEOUT" });
  expect((await server.call("GET", `/v1/pass/${pass.id}`)).json.fields.Points.value).toBe("0");
  expect((await server.database.query("SELECT count(*) FROM tickets")).rows).toEqual(tickets);
  const after = await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: { Points: { value: "6" } } } });
  expect(after.status).toBe(200);
});

it("lets a template edit that reaches every pass wait past the limit", async () => {
  const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
  const body = {
    name: "t2",
    vendor: "Apple",
    type: "Store Card",
    fields: { Points: { fieldType: "primary", value: "1" } },
  };
  const { pending } = await whileLocked(pass.id, async () => {
    const pending = server.call("PUT", `/v1/template/${templateId}`, { body });
    // Longer than the limit while the edit waits for the locked pass; then the lock goes.
    await new Promise((r) => setTimeout(r, 900));
    return { pending };
  });
  const edit = await pending;
  expect(edit.status, edit.text).toBe(200);
  expect((await server.database.query("SELECT name FROM templates WHERE id = $1", [templateId])).rows).toEqual([
    { name: "t2" },
  ]);
});
