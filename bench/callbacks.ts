// Project callbacks at scale: 100,000 passes installed (their "installed" events written as device registrations
// write them), every callback POSTed to a local receiver; seconds until the receiver has them all.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { appleTemplate } from "../test/fixtures/reference.js";
import { apiCall } from "./api.js";
import { insertPasses } from "./passes.js";
import type { BenchServer } from "./server.js";

export async function benchCallbacks(
  server: BenchServer,
  count: number,
): Promise<{ seconds: number; perSecond: number }> {
  const seen = new Set<string>();
  const receiver = createServer((req, res) => {
    seen.add(String(req.headers["x-wallet-event-id"]));
    req.resume();
    req.on("end", () => res.end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  try {
    const project = await apiCall(server, "POST", "/v1/project", {
      name: "Bench callbacks",
      projectType: "memberCard",
    });
    const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
    await apiCall(server, "POST", `/v1/project/${project.id}/settings/callback`, {
      baseUrl: url,
      headers: { Authorization: "Bearer bench-token" },
    });
    const client = new pg.Client({ connectionString: server.databaseUrl });
    await client.connect();
    await insertPasses(client, templateId, count);
    const { rows } = await client.query<{ first: number; last: number }>(
      "SELECT min(id) AS first, max(id) AS last FROM passes WHERE template_id = $1",
      [templateId],
    );
    const { first, last } = rows[0]!;
    // Installs arrive as they do from phones: many small transactions (here 1,000 passes each), while the worker
    // is already delivering the first ones.
    const start = Date.now();
    for (let from = first; from <= last; from += 1000) {
      await client.query(
        `WITH installed AS (
           UPDATE passes SET status = 'installed', platform = 'ios', installed_at = now(), installs = 1
            WHERE template_id = $1 AND id BETWEEN $2 AND $3 RETURNING id, account_id, template_id, version)
         INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, platform)
         SELECT id, account_id, template_id, 'installed', version, 'ios' FROM installed`,
        [templateId, from, from + 999],
      );
    }
    await client.end();
    const deadline = start + 600_000;
    while (seen.size < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (seen.size < count) throw new Error(`only ${seen.size} of ${count} callbacks arrived within 600 s`);
    const seconds = (Date.now() - start) / 1000;
    return { seconds, perSecond: Math.round(count / seconds) };
  } finally {
    receiver.close();
  }
}
