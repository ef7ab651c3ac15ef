// A million installed Apple passes on one Postgres: a template change published → every device pushed (fake APNs
// on loopback, counting only), with the resident memory of each of the server's processes sampled throughout, and
// the bytes each installed pass takes on disk.
import { execFileSync } from "node:child_process";
import pg from "pg";
import type { FakeApns } from "../test/fakes/apns.js";
import { appleTemplate } from "../test/fixtures/reference.js";
import { apiCall } from "./api.js";
import { registerDevices } from "./apple.js";
import { insertPasses } from "./passes.js";
import type { BenchServer } from "./server.js";

/** Peak RSS (MB) of each process in the tree under `root`, sampled every 500 ms until stopped. */
export function sampleRss(root: number): { stop(): Map<string, number> } {
  const peaks = new Map<string, number>();
  const sample = () => {
    const table = execFileSync("ps", ["-eo", "pid=,ppid=,rss=,args="], { encoding: "utf8" })
      .split("\n")
      .map((l) => l.trim().split(/\s+/))
      .filter((f) => f.length >= 4)
      .map(([pid, ppid, rss, ...args]) => ({ pid: Number(pid), ppid: Number(ppid), rss: Number(rss), args }));
    const tree = new Set([root]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const p of table)
        if (tree.has(p.ppid) && !tree.has(p.pid)) {
          tree.add(p.pid);
          grew = true;
        }
    }
    for (const p of table) {
      if (!tree.has(p.pid)) continue;
      const name = `${p.pid} ${p.args.slice(0, 3).join(" ").slice(0, 60)}`;
      peaks.set(name, Math.max(peaks.get(name) ?? 0, Math.round(p.rss / 1024)));
    }
  };
  sample();
  const timer = setInterval(sample, 500);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return peaks;
    },
  };
}

export interface MillionResult {
  setupSeconds: number;
  seconds: number;
  pushes: number;
  bytesPerPass: number;
  rssPeaks: Map<string, number>;
}

export async function benchMillion(server: BenchServer, apns: FakeApns, count = 1_000_000): Promise<MillionResult> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench million", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  const setupStart = Date.now();
  const chunk = 250_000;
  for (let done = 0; done < count; done += chunk) {
    await insertPasses(client, templateId, Math.min(chunk, count - done), 1); // every one installed
  }
  await registerDevices(server, client, templateId);
  await client.query("VACUUM ANALYZE passes");
  await client.query("VACUUM ANALYZE apple_registrations");
  const setupSeconds = (Date.now() - setupStart) / 1000;
  // Per row of each table, so other sections' passes in the same database (a full run) do not count against these.
  const { rows } = await client.query<{ bytes: number }>(
    `SELECT pg_total_relation_size('passes')::float8 / GREATEST((SELECT count(*) FROM passes), 1)
          + pg_total_relation_size('apple_registrations')::float8 / GREATEST((SELECT count(*) FROM apple_registrations), 1)
            AS bytes`,
  );
  const bytesPerPass = Math.round(rows[0]!.bytes);

  apns.record = false;
  apns.received = 0;
  const rss = sampleRss(server.pid);
  const start = Date.now();
  await apiCall(server, "PUT", `/v1/template/${templateId}/passes`, { fields: { Coupon: { value: "75%" } } });
  const deadline = start + 600_000;
  while (apns.received < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  const seconds = (Date.now() - start) / 1000;
  const rssPeaks = rss.stop();
  apns.record = true;
  await client.end();
  if (apns.received < count) throw new Error(`only ${apns.received} of ${count} devices were pushed within 600 s`);
  return { setupSeconds, seconds, pushes: apns.received, bytesPerPass, rssPeaks };
}
