// The daily-activity counter against a template deleted while it counts: the deletion's transaction is open when
// the counter reaches the template's events and commits while the counter waits. The counter must neither fail
// (a foreign-key violation, logged every round) nor lose the other templates' events of the same batch.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { countDailyActivity } from "../../src/events/daily-activity-store.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPool } from "../helpers/database.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let pool: pg.Pool;

beforeAll(async () => {
  server = await startTestServer();
  pool = testPool(server.database.url, 3);
});
afterAll(async () => {
  await pool.end();
  await server.close();
});

async function templateWithPasses(name: string, passes: number): Promise<number> {
  const project = (await server.call("POST", "/v1/project", { body: { name, projectType: "loyalty" } })).json;
  const template = await server.call("POST", `/v1/template/${project.id}`, {
    body: { name, vendor: "Apple", type: "Store Card", fields: { Points: { fieldType: "primary", value: "0" } } },
  });
  for (let i = 0; i < passes; i++) {
    expect((await server.call("POST", `/v1/pass/${template.json.templateId}`, { body: {} })).status).toBe(200);
  }
  return template.json.templateId;
}

it("counts the other templates and drops a template deleted while the count waits for it", async () => {
  const kept = await templateWithPasses("kept", 3);
  const doomed = await templateWithPasses("doomed", 2);
  const deleting = new pg.Client({ connectionString: server.database.url });
  await deleting.connect();
  try {
    await deleting.query("BEGIN");
    await deleting.query("DELETE FROM templates WHERE id = $1", [doomed]);
    let settled = false;
    const counting = countDailyActivity(pool).finally(() => {
      settled = true;
    });
    // The counter waits on the deleting transaction's row lock.
    await until(
      async () =>
        (
          await pool.query(
            "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'",
          )
        ).rowCount,
      (n) => n === 1,
    );
    expect(settled).toBe(false);
    await deleting.query("COMMIT");
    expect(await counting).toBeGreaterThanOrEqual(5);
  } finally {
    await deleting.end();
  }
  const { rows } = await pool.query<{ template_id: number; kind: string; count: string }>(
    "SELECT template_id, kind, count FROM daily_activity ORDER BY template_id, kind",
  );
  expect(rows).toEqual([{ template_id: kept, kind: "created", count: "3" }]);
  // The position moved past the dropped events: the next round reads nothing again.
  expect(await countDailyActivity(pool)).toBe(0);
});
