// Two API processes (no in-process worker) and two worker processes on one fresh database, against a fake APNs:
// a publish to 2,500 installed passes pushes every device exactly once; then a worker SIGKILLed in the middle of
// a publish: its jobs are released within the lease and resumed from their checkpoints, so every device is still
// pushed, and only the pushes of an unfinished chunk may repeat.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeApns, startFakeApns } from "../fakes/apns.js";
import { appleTemplate } from "../fixtures/reference.js";
import { basic, freePort, TEST_WALLET_ENCRYPTION_KEY } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { type Collected, spawnCollecting } from "../helpers/process.js";

const root = new URL("../../", import.meta.url).pathname;
const DEVICES = 2500;
const CREDENTIALS = { key: "many-processes", secret: "m".repeat(40) };
let database: TestDatabase;
let apns: FakeApns;
const runs: Collected[] = [];
const apiPorts: number[] = [];
const workers: Collected[] = [];

function launch(script: string, env: NodeJS.ProcessEnv): Collected {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  const run = spawnCollecting(process.execPath, ["--import", "tsx", script], {
    cwd: root,
    env: { ...rest, ...env },
    detached: true,
  });
  runs.push(run);
  return run;
}

function kill(run: Collected, signal: NodeJS.Signals): void {
  try {
    process.kill(-run.child.pid!, signal);
  } catch {}
}

async function call(port: number, method: string, path: string, body?: unknown) {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: {
      authorization: basic(CREDENTIALS),
      "api-revision": "1.2",
      ...(body ? { "content-type": "application/json" } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function healthy(port: number, run: Collected): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`exited (${run.child.exitCode}):\n${run.output()}`);
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) throw new Error(`no health:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const pushedTokens = () => new Map(apns.pushes.map((p) => [p.token, 0]));
function counts(): Map<string, number> {
  const byToken = pushedTokens();
  for (const push of apns.pushes) byToken.set(push.token, byToken.get(push.token)! + 1);
  return byToken;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error(`${what} within ${timeoutMs} ms:\n${runs.map((r) => r.output().slice(-2000)).join("\n---\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

let templateId: number;
let commonEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  database = await createTestDatabase({ migrated: false });
  apns = await startFakeApns();
  const pki = testPki();
  const caFile = join(pki.dir, "apns-ca.pem");
  writeFileSync(caFile, apns.ca);
  commonEnv = {
    DATABASE_URL: database.url,
    WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY,
    APPLE_PASS_CERT: pki.files.passCert,
    APPLE_PASS_KEY: pki.files.passKey,
    APPLE_WWDR_CERT: pki.files.wwdr,
    APNS_HOST: apns.host,
    APNS_CA_FILE: caFile,
    BOOTSTRAP_API_KEY: CREDENTIALS.key,
    BOOTSTRAP_API_SECRET: CREDENTIALS.secret,
    WORKER_LEASE_MS: "2000",
    METRICS_PORT: "off",
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
  };
  // All four start together on the fresh database.
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    apiPorts.push(port);
    launch("src/server.ts", { ...commonEnv, PORT: String(port), RUN_WORKER: "false" });
  }
  for (let i = 0; i < 2; i++) workers.push(launch("src/worker.ts", commonEnv));
  for (const [i, port] of apiPorts.entries()) await healthy(port, runs[i]!);

  const project = await call(apiPorts[0]!, "POST", "/v1/project", { name: "Scale", projectType: "memberCard" });
  templateId = (await call(apiPorts[1]!, "POST", `/v1/template/${project.id}`, appleTemplate)).templateId as number;
  await database.query(
    `INSERT INTO passes (account_id, template_id, serial_number, status, platform, installed_at)
     SELECT t.account_id, t.id, gen_random_uuid()::text, 'installed', 'ios', now()
       FROM templates t, generate_series(1, $2) WHERE t.id = $1`,
    [templateId, DEVICES],
  );
  const { rows } = await database.query<{ id: number }>("SELECT id FROM passes WHERE template_id = $1 LIMIT 1", [
    templateId,
  ]);
  const { passTypeIdentifier } = await call(apiPorts[0]!, "GET", `/v1/pass/${rows[0]!.id}/viewJSONPass`);
  await database.query(
    `INSERT INTO apple_registrations (device_library_identifier, pass_id, pass_type_identifier, push_token)
     SELECT 'device-' || id, id, $2, md5(id::text) || md5((id * 7)::text) FROM passes WHERE template_id = $1`,
    [templateId, passTypeIdentifier],
  );
}, 120_000);

afterAll(async () => {
  for (const run of runs) kill(run, "SIGKILL");
  await apns?.close();
  await database?.drop();
});

it("pushes every device exactly once when several processes share the publish", async () => {
  apns.pushes.length = 0;
  await call(apiPorts[1]!, "PUT", `/v1/template/${templateId}/passes`, { fields: { Coupon: { value: "10%" } } });
  await until(() => pushedTokens().size >= DEVICES, 60_000, "every device pushed");
  await new Promise((r) => setTimeout(r, 1500)); // late duplicates would arrive now
  const repeated = [...counts().values()].filter((n) => n > 1);
  expect(pushedTokens().size).toBe(DEVICES);
  expect(repeated).toEqual([]);
}, 90_000);

it("still pushes every device when the workers are killed in the middle of a publish, resuming from checkpoints", async () => {
  apns.pushes.length = 0;
  // Slow pushes, so the publish is still running when the workers die.
  apns.respond = () => ({ status: 200, delayMs: 250 });
  await call(apiPorts[0]!, "PUT", `/v1/template/${templateId}/passes`, { fields: { Coupon: { value: "20%" } } });
  await until(() => apns.pushes.length >= 2000, 60_000, "the publish well under way");
  // Both workers die at once (their jobs stay locked by them); a new worker starts.
  for (const worker of workers) kill(worker, "SIGKILL");
  const killedAt = apns.pushes.length;
  workers.push(launch("src/worker.ts", commonEnv));
  await until(() => pushedTokens().size >= DEVICES, 90_000, "every device pushed after the kill");
  apns.respond = () => ({ status: 200 });
  // The dead workers' jobs were released (not left locked for hours) and finished.
  const deadline = Date.now() + 30_000;
  let left = -1;
  while (Date.now() < deadline) {
    const { rows } = await database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM graphile_worker.jobs WHERE task_identifier = 'passes-changed'",
    );
    left = rows[0]!.n;
    if (left === 0) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(left).toBe(0);
  // Resumed from the checkpoint: only the unfinished chunk (500 pushes) of each job in flight is pushed again,
  // not the ${killedAt} pushed before the kill.
  const repeated = [...counts().values()].filter((n) => n > 1).length;
  expect(killedAt).toBeGreaterThanOrEqual(2000);
  expect(repeated).toBeLessThanOrEqual(2 * 500);
  expect(pushedTokens().size).toBe(DEVICES);
}, 150_000);
