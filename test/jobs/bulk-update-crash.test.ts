// Kill the worker (SIGKILL) in the middle of a bulk update of 20,000 passes, start another: the ticket reaches
// done and every pass is updated exactly once, with exactly one pending "pass changed" event each.
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, TEST_WALLET_ENCRYPTION_KEY, type TestServer } from "../helpers/app.js";

const root = new URL("../../", import.meta.url).pathname;
const PASSES = 20_000;
let server: TestServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  server = await startTestServer(); // no in-process worker: the worker runs in child processes here
});
// Each worker runs in its own process group (tsx starts node as a child): kill the whole group.
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {}
}

afterAll(async () => {
  for (const child of children) killGroup(child, "SIGKILL");
  await server.close();
});

function startWorker(): ChildProcess {
  const child = spawn(join(root, "node_modules/.bin/tsx"), ["src/worker.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: server.database.url,
      WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY,
      JOB_STALE_AFTER_MS: "1500",
      BULK_UPDATE_BATCH_SIZE: "250",
      LOG_LEVEL: "warn",
    },
    stdio: "ignore",
    detached: true,
  });
  children.push(child);
  return child;
}

const ticketOf = async (id: number) => (await server.call("GET", `/v1/ticket/${id}`)).json;

it("resumes after a crash and updates every pass exactly once", async () => {
  const projectId = (await server.call("POST", "/v1/project", { body: { name: "Crash", projectType: "memberCard" } }))
    .json.id;
  const templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  await server.database.query(
    `INSERT INTO passes (account_id, template_id, serial_number, overrides)
     SELECT $1, $2, gen_random_uuid()::text,
            CASE WHEN g % 3 = 0 THEN '{"fields": {"Coupon": {"value": "own", "label": "keep"}}}'::jsonb ELSE '{}'::jsonb END
       FROM generate_series(1, $3) g`,
    [server.credentials.accountId, templateId, PASSES],
  );
  const { ticketId } = (
    await server.call("PUT", `/v1/template/${templateId}/passes`, { body: { fields: { Coupon: { value: "75%" } } } })
  ).json;

  const first = startWorker();
  let seen = await ticketOf(ticketId);
  const deadline = Date.now() + 60_000;
  while (!(seen.progress.done > 0 && seen.progress.done < PASSES / 2) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 15));
    seen = await ticketOf(ticketId);
  }
  killGroup(first, "SIGKILL");
  await new Promise((r) => first.once("exit", r));
  const atCrash = await ticketOf(ticketId);
  expect(atCrash.status).toBe("running");
  expect(atCrash.progress.done).toBeGreaterThan(0);
  expect(atCrash.progress.done).toBeLessThan(PASSES);

  const second = startWorker();
  let final = atCrash;
  while (final.status !== "done" && Date.now() < deadline + 60_000) {
    await new Promise((r) => setTimeout(r, 100));
    final = await ticketOf(ticketId);
  }
  killGroup(second, "SIGTERM");
  await new Promise((r) => second.once("exit", r));
  expect(final).toMatchObject({ status: "done", progress: { done: PASSES, total: PASSES } });

  const { rows } = await server.database.query<{ version: number; n: number }>(
    "SELECT version, count(*)::int AS n FROM passes WHERE template_id = $1 GROUP BY version",
    [templateId],
  );
  expect(rows).toEqual([{ version: 2, n: PASSES }]);
  const overrides = await server.database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM passes
      WHERE template_id = $1 AND (overrides #> '{fields,Coupon,value}') IS NOT NULL`,
    [templateId],
  );
  expect(overrides.rows[0]!.n).toBe(0);
  const labels = await server.database.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM passes WHERE template_id = $1 AND overrides #>> '{fields,Coupon,label}' = 'keep'`,
    [templateId],
  );
  expect(labels.rows[0]!.n).toBe(Math.floor(PASSES / 3));
  // Pass-changed events come in batches (one job per batch of passes); the worker delivers (and deletes) them as
  // they come; none of those still queued has failed, and no pass is in two of them.
  const events = await server.database.query<{ jobs: number; passes: number; distinct: number; failed: number }>(
    `SELECT count(DISTINCT j.id)::int AS jobs, count(*)::int AS passes, count(DISTINCT e.value->>0)::int AS distinct,
            count(*) FILTER (WHERE j.last_error IS NOT NULL)::int AS failed
       FROM graphile_worker._private_jobs j JOIN graphile_worker._private_tasks t ON t.id = j.task_id, json_array_elements(j.payload->'passes') e
      WHERE t.identifier = 'passes-changed'`,
  );
  expect(events.rows[0]!.passes).toBe(events.rows[0]!.distinct);
  expect(events.rows[0]!.failed).toBe(0);
}, 180_000);
