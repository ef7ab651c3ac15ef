// Segments and statistics at scale: 1,000,000 passes of one project carrying 10 tags each (10,000,000 tag rows),
// 1,500,000 pass events over 90 days. Measures segment resolution (the size of a segment, resolved by its one SQL
// query, through GET …?count=true), the daily-activity consumer catching up, and the p99 of stats and activity.
import autocannon from "autocannon";
import pg from "pg";
import { appleTemplate } from "../test/fixtures/reference.js";
import { apiCall, type Rate, rateOf } from "./api.js";
import type { BenchServer } from "./server.js";

const TAGS = 100;

export interface SegmentBench {
  setupSeconds: number;
  resolutions: { criteria: string; passes: number; p50Ms: number; p99Ms: number }[];
  activityCatchUpSeconds: number;
  rates: Rate[];
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

export async function benchSegments(server: BenchServer, count: number): Promise<SegmentBench> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench segments", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, appleTemplate);
  const db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const started = Date.now();
  try {
    await db.query(
      `INSERT INTO passes (account_id, template_id, serial_number, status, platform)
       SELECT t.account_id, t.id, gen_random_uuid()::text,
              CASE WHEN g % 6 = 0 THEN 'uninstalled' WHEN g % 3 = 0 THEN 'installed' ELSE 'not_been_installed' END,
              CASE WHEN g % 3 = 0 THEN 'ios' END
         FROM templates t, generate_series(1, $2) g WHERE t.id = $1`,
      [templateId, count],
    );
    await db.query(
      `INSERT INTO tags (account_id, name) SELECT t.account_id, 'tag-' || g FROM templates t, generate_series(0, $2 - 1) g
        WHERE t.id = $1`,
      [templateId, TAGS],
    );
    // Pass n carries tags (n + 7j) mod 100 for j = 0…9: ten distinct tags, every tag on a tenth of the passes.
    await db.query(
      `INSERT INTO pass_tags (pass_id, tag_id)
       SELECT p.id, tg.id FROM passes p, generate_series(0, 9) j, tags tg
        WHERE p.template_id = $1 AND tg.account_id = p.account_id AND tg.name = 'tag-' || ((p.id + 7 * j) % $2)`,
      [templateId, TAGS],
    );
    // Events as the passes' lives wrote them, spread over 90 days: created, then installed, then uninstalled.
    await db.query(
      `INSERT INTO pass_events (pass_id, account_id, template_id, kind, version, at)
       SELECT p.id, p.account_id, p.template_id, k.kind, 1, now() - make_interval(days => (p.id % 90)) + k.offs
         FROM passes p
         JOIN (VALUES ('created', interval '0'), ('installed', interval '1 minute'), ('uninstalled', interval '2 minutes'))
              AS k(kind, offs)
           ON k.kind = 'created' OR (k.kind = 'installed' AND p.status <> 'not_been_installed')
              OR (k.kind = 'uninstalled' AND p.status = 'uninstalled')
        WHERE p.template_id = $1`,
      [templateId],
    );
    // As autovacuum leaves them after a bulk load (visibility map set: index-only scans work).
    await db.query("VACUUM ANALYZE passes");
    await db.query("VACUUM ANALYZE pass_tags");
    await db.query("ANALYZE tags");
    await db.query("ANALYZE pass_events");
    const setupSeconds = (Date.now() - started) / 1000;

    // The daily-activity consumer (the server's worker) counts those events.
    const events = (
      await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pass_events WHERE template_id = $1", [templateId])
    ).rows[0]!.n;
    const catchUp = Date.now();
    for (;;) {
      const { rows } = await db.query<{ n: number }>(
        "SELECT COALESCE(sum(count), 0)::int AS n FROM daily_activity WHERE template_id = $1",
        [templateId],
      );
      if (rows[0]!.n >= events) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const activityCatchUpSeconds = (Date.now() - catchUp) / 1000;

    const criteria: Record<string, unknown> = {
      "one tag": { tag: "tag-1" },
      "a and not b": { and: [{ tag: "tag-1" }, { not: { tag: "tag-8" } }] },
      "or of five": { or: ["tag-1", "tag-2", "tag-3", "tag-4", "tag-5"].map((tag) => ({ tag })) },
      "nested (and / or / not)": {
        and: [
          { or: [{ tag: "tag-1" }, { tag: "tag-50" }] },
          { not: { and: [{ tag: "tag-8" }, { tag: "tag-15" }] } },
          { or: [{ tag: "tag-22" }, { not: { tag: "tag-29" } }] },
        ],
      },
      "not one tag": { not: { tag: "tag-1" } },
    };
    const resolutions: SegmentBench["resolutions"] = [];
    for (const [name, value] of Object.entries(criteria)) {
      const { segmentId } = await apiCall(server, "POST", `/v1/segments/${project.id}`, {
        criteria: value,
        display_name: name,
      });
      const times: number[] = [];
      let passes = 0;
      for (let i = 0; i < 12; i++) {
        const t0 = performance.now();
        passes = (await apiCall(server, "GET", `/v1/segments/${project.id}/${segmentId}?count=true`))
          .passCount as number;
        times.push(performance.now() - t0);
      }
      times.sort((a, b) => a - b);
      resolutions.push({
        criteria: name,
        passes,
        p50Ms: Math.round(percentile(times, 0.5)),
        p99Ms: Math.round(percentile(times, 0.99)),
      });
    }

    const rates: Rate[] = [];
    const today = new Date().toISOString().slice(0, 10);
    const start = new Date(Date.now() - 89 * 86_400_000).toISOString().slice(0, 10);
    for (const [name, path] of [
      ["GET /v1/project/{id}/stats", `/v1/project/${project.id}/stats`],
      ["GET /v1/template/{id}/stats", `/v1/template/${templateId}/stats`],
      ["GET /v1/project/{id}/activity (90 days)", `/v1/project/${project.id}/activity/${start}/${today}`],
    ] as const) {
      const result = await autocannon({
        url: `${server.baseUrl}${path}`,
        headers: { authorization: server.auth, "api-revision": "1.2" },
        connections: 8,
        duration: 10,
      });
      rates.push(rateOf(name, result));
    }
    return { setupSeconds, resolutions, activityCatchUpSeconds, rates };
  } finally {
    await db.end();
  }
}
