// What Postgres may still refuse under contention: a deadlock (40P01) or serialization failure (40001) aborts a
// transaction, which changed nothing, so the server runs it again; when every attempt is refused the request
// answers 503 DATABASE_CONFLICT with Retry-After, never a 500, and nothing is written. The refusals here are real:
// two transactions that lock two rows crosswise, and a trigger that raises the SQLSTATE a set number of times (a
// sequence counts the attempts, as a rollback does not undo it).
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../../src/db/client.js";
import { CONFLICT_ATTEMPTS, inTransaction } from "../../src/db/transaction.js";
import { pointsTemplate, startTestServer, type TestServer } from "../helpers/app.js";
import { testPool } from "../helpers/database.js";

let server: TestServer;
let pool: pg.Pool;
let templateId: number;

beforeAll(async () => {
  server = await startTestServer();
  pool = testPool(server.database.url, 4);
  ({ templateId } = await pointsTemplate(server, "Conflicts"));
  // Refuses an update of a pass whose external id starts with a SQLSTATE, while the sequence is below the limit.
  await pool.query(`
    CREATE SEQUENCE conflict_attempts;
    CREATE TABLE conflict_limit (n int NOT NULL);
    INSERT INTO conflict_limit VALUES (0);
    CREATE FUNCTION refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF nextval('conflict_attempts') <= (SELECT n FROM conflict_limit) THEN
        RAISE EXCEPTION 'refused for the test' USING ERRCODE = left(NEW.external_id, 5);
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER refuse_update BEFORE UPDATE OF overrides ON passes
      FOR EACH ROW WHEN (left(NEW.external_id, 5) IN ('40001', '40P01')) EXECUTE FUNCTION refuse_update();`);
});
afterAll(async () => {
  await pool.end();
  await server.close();
});

async function refuseNext(times: number) {
  await pool.query("SELECT setval('conflict_attempts', 1, false)");
  await pool.query("UPDATE conflict_limit SET n = $1", [times]);
}
const attempts = async () =>
  Number((await pool.query<{ v: string }>("SELECT last_value AS v FROM conflict_attempts")).rows[0]!.v);

describe("conflicts Postgres reports", () => {
  it("runs both sides of a real deadlock to the end", async () => {
    await pool.query(
      "CREATE TABLE crossed (id int PRIMARY KEY, n int NOT NULL); INSERT INTO crossed VALUES (1, 0), (2, 0)",
    );
    let met = 0;
    const both = () => {
      met++;
      return met >= 2 ? Promise.resolve() : new Promise<void>((r) => setTimeout(r, 100));
    };
    const crosswise = (first: number, second: number) =>
      inTransaction(pool, async (client) => {
        await client.query("UPDATE crossed SET n = n + 1 WHERE id = $1", [first]);
        await both(); // each holds its first row when it asks for its second
        await client.query("UPDATE crossed SET n = n + 1 WHERE id = $1", [second]);
      });
    await Promise.all([crosswise(1, 2), crosswise(2, 1)]);
    const { rows } = await pool.query("SELECT id, n FROM crossed ORDER BY id");
    // Each transaction committed once: the one Postgres chose as the victim was run again.
    expect(rows).toEqual([
      { id: 1, n: 2 },
      { id: 2, n: 2 },
    ]);
  });

  for (const code of ["40P01", "40001"]) {
    it(`retries a request whose transaction is refused with ${code}, and answers 200`, async () => {
      const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: { externalId: `${code}-retried` } }))
        .json;
      await refuseNext(2);
      const answer = await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: { Points: { value: "7" } } } });
      expect(answer.status).toBe(200);
      expect(await attempts()).toBe(3);
      expect((await server.call("GET", `/v1/pass/${pass.id}`)).json.fields.Points.value).toBe("7");
    });
  }

  it("answers 503 DATABASE_CONFLICT with Retry-After when every attempt is refused, and writes nothing", async () => {
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: { externalId: "40001-refused" } })).json;
    const before = await pool.query("SELECT version, overrides FROM passes WHERE id = $1", [pass.id]);
    const tickets = await pool.query("SELECT count(*) FROM tickets");
    await refuseNext(1000);
    const answer = await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: { Points: { value: "9" } } } });
    expect(answer.status).toBe(503);
    expect(answer.json).toMatchObject({ code: "DATABASE_CONFLICT" });
    expect(answer.headers.get("retry-after")).toBe("1");
    expect(await attempts()).toBe(CONFLICT_ATTEMPTS);
    expect((await pool.query("SELECT version, overrides FROM passes WHERE id = $1", [pass.id])).rows).toEqual(
      before.rows,
    );
    expect((await pool.query("SELECT count(*) FROM tickets")).rows).toEqual(tickets.rows);
  });

  it("runs a statement outside a transaction again when it is refused", async () => {
    const pass = (await server.call("POST", `/v1/pass/${templateId}`, { body: { externalId: "40P01-statement" } }))
      .json;
    const update = "UPDATE passes SET overrides = overrides WHERE id = $1";
    // A bare pool reports the refusal...
    await refuseNext(2);
    await expect(pool.query(update, [pass.id])).rejects.toMatchObject({ code: "40P01" });
    // ...the server's pool (db/client.ts) runs the statement again.
    const db = openDatabase(server.database.url, 2);
    try {
      await refuseNext(2);
      expect((await db.pool.query(update, [pass.id])).rowCount).toBe(1);
      expect(await attempts()).toBe(3);
    } finally {
      await db.close();
    }
  });
});
