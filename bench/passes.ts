// Pass benchmarks: create rate, a 100,000-pass bulk update to done, and listing installed passes of a template
// among 1,000,000.
import autocannon from "autocannon";
import pg from "pg";
import { appleTemplate } from "../test/fixtures/reference.js";
import { apiCall, type Rate, rateOf } from "./api.js";
import type { BenchServer } from "./server.js";

async function newTemplate(server: BenchServer): Promise<number> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench passes", projectType: "memberCard" });
  const template = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
  return template.templateId as number;
}

/** Inserts `count` passes of the template straight into the database (every `installedEvery`-th installed). */
export async function insertPasses(db: pg.ClientBase, templateId: number, count: number, installedEvery = 0) {
  await db.query(
    `INSERT INTO passes (account_id, template_id, serial_number, status, platform, installed_at)
     SELECT t.account_id, t.id, gen_random_uuid()::text,
            CASE WHEN $3 > 0 AND g % $3 = 0 THEN 'installed' ELSE 'not_been_installed' END,
            CASE WHEN $3 > 0 AND g % $3 = 0 THEN 'ios' END,
            CASE WHEN $3 > 0 AND g % $3 = 0 THEN now() END
       FROM templates t, generate_series(1, $2) g WHERE t.id = $1`,
    [templateId, count, installedEvery],
  );
  await db.query("ANALYZE passes");
}

/** The same through a connection of its own. */
async function insertPassesAt(databaseUrl: string, templateId: number, count: number, installedEvery = 0) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await insertPasses(client, templateId, count, installedEvery);
  } finally {
    await client.end();
  }
}

export async function benchPassCreate(server: BenchServer): Promise<Rate> {
  const templateId = await newTemplate(server);
  const result = await autocannon({
    url: `${server.baseUrl}/v1/pass/${templateId}`,
    method: "POST",
    headers: { authorization: server.auth, "api-revision": "1.2", "content-type": "application/json" },
    body: JSON.stringify({ fields: { Coupon: { value: "15%" } }, headers: { barcode_value: { value: "12345" } } }),
    connections: 32,
    duration: 10,
  });
  return rateOf("POST /v1/pass/{templateId}", result);
}

/** Seconds from publishing a bulk update of `count` passes to its ticket reaching done (as the ticket records it). */
export async function benchBulkUpdate(server: BenchServer, count: number): Promise<number> {
  const templateId = await newTemplate(server);
  await insertPassesAt(server.databaseUrl, templateId, count);
  const { ticketId } = await apiCall(server, "PUT", `/v1/template/${templateId}/passes`, {
    fields: { Coupon: { value: "60%" } },
  });
  for (;;) {
    const ticket = await apiCall(server, "GET", `/v1/ticket/${ticketId}`);
    if (ticket.status === "done") {
      return (Date.parse(ticket.finishedAt as string) - Date.parse(ticket.createdAt as string)) / 1000;
    }
    if (ticket.status === "failed") throw new Error("bulk update failed");
    await new Promise((r) => setTimeout(r, 200));
  }
}

export async function benchInstalledList(server: BenchServer, count: number): Promise<Rate> {
  const templateId = await newTemplate(server);
  await insertPassesAt(server.databaseUrl, templateId, count, 3);
  const result = await autocannon({
    url: `${server.baseUrl}/v1/pass?templateId=${templateId}&status=installed&pageSize=10`,
    headers: { authorization: server.auth, "api-revision": "1.2" },
    connections: 8,
    duration: 10,
  });
  return rateOf(`GET /v1/pass?templateId&status=installed (${count.toLocaleString("en")} passes)`, result);
}
