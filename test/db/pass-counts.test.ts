// The per-template pass counts (template_pass_counts, kept by triggers) stay exact under concurrent inserts,
// status changes and deletes from many connections, and installs on different connections do not wait for each
// other's counter row.
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

let db: TestDatabase;
let templates: number[];
let accountId: number;

beforeAll(async () => {
  db = await createTestDatabase();
  accountId = (await db.query<{ id: number }>("INSERT INTO accounts (name) VALUES ('a') RETURNING id")).rows[0]!.id;
  const project = await db.query<{ id: number }>(
    "INSERT INTO projects (account_id, context_id, name, project_type) VALUES ($1, 'ctx', 'p', 'loyalty') RETURNING id",
    [accountId],
  );
  templates = [];
  for (const name of ["t1", "t2"]) {
    const t = await db.query<{ id: number }>(
      "INSERT INTO templates (account_id, project_id, name, vendor, type) VALUES ($1, $2, $3, 'Apple', 'Store Card') RETURNING id",
      [accountId, project.rows[0]!.id, name],
    );
    templates.push(t.rows[0]!.id);
  }
});
afterAll(() => db.drop());

/** Counts as the readers see them (sum of the shards) and as they truly are. */
async function counts() {
  const kept = await db.query<{ template_id: number; status: string; n: string }>(
    `SELECT template_id, status, sum(passes)::text AS n FROM template_pass_counts
      GROUP BY template_id, status HAVING sum(passes) <> 0 ORDER BY 1, 2`,
  );
  const real = await db.query<{ template_id: number; status: string; n: string }>(
    "SELECT template_id, status, count(*)::text AS n FROM passes GROUP BY template_id, status ORDER BY 1, 2",
  );
  return { kept: kept.rows, real: real.rows };
}

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  return client;
}

it("stays exact under concurrent creations, installs, uninstalls and deletes from eight connections", async () => {
  const clients = await Promise.all(Array.from({ length: 8 }, connect));
  try {
    await Promise.all(
      clients.map(async (client, c) => {
        for (let round = 0; round < 25; round++) {
          const templateId = templates[(c + round) % 2]!;
          await client.query("BEGIN");
          const created = await client.query<{ id: number }>(
            `INSERT INTO passes (account_id, template_id, serial_number)
             SELECT $1, $2, 'p-' || $3 || '-' || $4 || '-' || g FROM generate_series(1, 4) g RETURNING id`,
            [accountId, templateId, c, round],
          );
          const [a, b, d] = created.rows.map((r) => r.id);
          await client.query("UPDATE passes SET status = 'installed' WHERE id = ANY($1)", [[a, b]]);
          await client.query("UPDATE passes SET status = 'uninstalled' WHERE id = $1", [b]);
          await client.query("DELETE FROM passes WHERE id = $1", [d]);
          await client.query(round % 5 === 4 ? "ROLLBACK" : "COMMIT");
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
  const { kept, real } = await counts();
  expect(real.length).toBe(6); // two templates × three statuses
  expect(kept).toEqual(real);
  // Deleting a whole template takes its counters with it (the pass deletes it cascades to count nothing anew).
  await db.query("DELETE FROM templates WHERE id = $1", [templates[1]]);
  const after = await counts();
  expect(after.kept).toEqual(after.real);
  expect(after.real.every((r) => r.template_id === templates[0])).toBe(true);
});

it("lets installs of one template on two connections run at once (no shared counter row to wait for)", async () => {
  const templateId = templates[0]!;
  const ids = (
    await db.query<{ id: number }>(
      `INSERT INTO passes (account_id, template_id, serial_number)
       SELECT $1, $2, 'w-' || g FROM generate_series(1, 2) g RETURNING id`,
      [accountId, templateId],
    )
  ).rows.map((r) => r.id);
  // Two connections whose shards differ (backend pid modulo 16).
  const first = await connect();
  const opened = [first];
  const shard = async (c: pg.Client) => (await c.query<{ s: number }>("SELECT pg_backend_pid() % 16 AS s")).rows[0]!.s;
  let second = await connect();
  opened.push(second);
  while ((await shard(second)) === (await shard(first))) {
    second = await connect();
    opened.push(second);
  }
  try {
    await first.query("BEGIN");
    await first.query("UPDATE passes SET status = 'installed' WHERE id = $1", [ids[0]]);
    // The first install is not committed: the second must not wait for it.
    await second.query("SET statement_timeout = '2s'");
    await second.query("BEGIN");
    await second.query("UPDATE passes SET status = 'installed' WHERE id = $1", [ids[1]]);
    await second.query("COMMIT");
    await first.query("COMMIT");
  } finally {
    await Promise.all(opened.map((c) => c.end()));
  }
  const { kept, real } = await counts();
  expect(kept).toEqual(real);
});
