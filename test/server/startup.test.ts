// Starting and stopping the real server process: a taken port (the server's, or the embedded Postgres') and an
// unreachable DATABASE_URL each say what is wrong in one line and exit 1; SIGTERM sent to `npm start` (the process
// the user started) stops the server within 10 s, frees the port and logs nothing at error level.
import { type ChildProcess, execFileSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it, onTestFinished } from "vitest";
import { freePort } from "../helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { type Collected, spawnCollecting } from "../helpers/process.js";

const root = new URL("../../", import.meta.url).pathname;
const children: ChildProcess[] = [];
let database: TestDatabase;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "startup-"));
});
afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function launch(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  const run = spawnCollecting(command, args, {
    cwd: root,
    env: { ...rest, HOST: "127.0.0.1", LOG_LEVEL: "info", DATA_DIR: dataDir, METRICS_PORT: "off", ...env },
  });
  children.push(run.child);
  return run;
}

/** Waits for the process to answer /health (failing with its output if it exits or takes over a minute). */
async function healthy(port: number, run: Collected): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`the process exited (${run.child.exitCode}):\n${run.output()}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`no health:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const server = (env: NodeJS.ProcessEnv) => launch(process.execPath, ["--import", "tsx", "src/server.ts"], env);

async function occupy(port: number): Promise<Server> {
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));
  return blocker;
}

it("names a taken port and exits 1", async () => {
  const port = await freePort();
  const blocker = await occupy(port);
  try {
    const run = server({ PORT: String(port), DATABASE_URL: database.url });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`port ${port} on 127.0.0.1 is already in use`);
    expect(run.output()).not.toMatch(/\n\s+at /);
  } finally {
    blocker.close();
  }
});

it("names a taken embedded Postgres port and exits 1", async () => {
  const pgPort = await freePort();
  const blocker = await occupy(pgPort);
  try {
    const run = server({ PORT: String(await freePort()), EMBEDDED_PG_PORT: String(pgPort) });
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`embedded Postgres port ${pgPort} on 127.0.0.1 is in use`);
    expect(run.output()).toContain("EMBEDDED_PG_PORT");
    expect(run.output()).not.toContain("undefined");
  } finally {
    blocker.close();
  }
});

it("names the host of an unreachable DATABASE_URL and exits 1", async () => {
  const run = server({
    PORT: String(await freePort()),
    DATABASE_URL: "postgres://wallet:secret-pw@127.0.0.1:1/wallet",
  });
  expect(await run.exited).toBe(1);
  expect(run.output()).toContain("cannot reach the database at 127.0.0.1:1");
  expect(run.output()).not.toContain("secret-pw");
});

it("stops on SIGTERM to `npm start` within 10 s, freeing the port, with no error logged and one log format", async () => {
  const port = await freePort();
  const run = launch("npm", ["start", "--silent"], { PORT: String(port), DATABASE_URL: database.url });
  await healthy(port, run);
  const sent = Date.now();
  run.child.kill("SIGTERM");
  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("still running"), 10_000))]);
  expect(code, run.output()).toBe(0);
  expect(Date.now() - sent, run.output()).toBeLessThan(10_000);
  // The port is free again: something else can listen on it.
  await new Promise<void>((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });
  const lines = run
    .output()
    .split("\n")
    .filter((l) => l.startsWith("{"));
  expect(lines.some((l) => /SIGTERM received/.test(l))).toBe(true);
  // One format: every line is JSON with the level by name; request lines carry the request id.
  const parsed = lines.map((l) => JSON.parse(l) as { level: unknown; reqId?: string; msg?: string });
  expect(
    parsed.filter((l) => !["trace", "debug", "info", "warn", "error", "fatal"].includes(l.level as string)),
  ).toEqual([]);
  expect(parsed.some((l) => l.msg === "request completed" && typeof l.reqId === "string")).toBe(true);
  expect(lines.filter((l) => /"level":("error"|50|"fatal"|60)/.test(l))).toEqual([]);
});

it("stops cleanly on a SIGTERM that arrives while it is still starting (its job worker not up yet)", async () => {
  const port = await freePort();
  // A database of its own: the others' secrets are sealed with other keys.
  const own = await createTestDatabase();
  const run = server({ PORT: String(port), DATABASE_URL: own.url, WALLET_ENCRYPTION_KEY: "c".repeat(64) });
  onTestFinished(() => own.drop());
  // The moment it listens, before the job worker that starts next is up.
  const deadline = Date.now() + 60_000;
  while (!run.output().includes("Server listening") && Date.now() < deadline) {
    if (run.child.exitCode !== null) throw new Error(`exited:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  run.child.kill("SIGTERM");
  const code = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r("still running"), 10_000))]);
  expect(code, run.output()).toBe(0);
  // Nothing it started was left running on the closed pool.
  expect(run.output()).not.toContain("Cannot use a pool after calling end");
  expect(
    run
      .output()
      .split("\n")
      .filter((l) => /"level":("error"|50|"fatal"|60)/.test(l)),
  ).toEqual([]);
});

it("starts four processes together on a fresh database: every one comes up (bootstrap, migrations, queue schema)", async () => {
  const fresh = await createTestDatabase({ migrated: false });
  const runs: { port: number; run: ReturnType<typeof server> }[] = [];
  try {
    for (let i = 0; i < 4; i++) {
      const port = await freePort();
      runs.push({
        port,
        run: server({
          PORT: String(port),
          DATABASE_URL: fresh.url,
          LOG_LEVEL: "warn",
          RUN_WORKER: i === 0 ? "true" : "false",
          BOOTSTRAP_API_KEY: "together",
          BOOTSTRAP_API_SECRET: "t".repeat(40),
          WALLET_ENCRYPTION_KEY: "c".repeat(64),
        }),
      });
    }
    for (const { port, run } of runs) await healthy(port, run);
  } finally {
    for (const { run } of runs) run.child.kill("SIGTERM");
    await Promise.all(runs.map(({ run }) => run.exited));
    await fresh.drop();
  }
});

it("serves a worker process's counters and health on WORKER_METRICS_PORT, and stops it on SIGTERM", async () => {
  const port = await freePort();
  const run = launch(process.execPath, ["--import", "tsx", "src/worker.ts"], {
    DATABASE_URL: database.url,
    WORKER_METRICS_PORT: String(port),
  });
  const deadline = Date.now() + 60_000;
  let text = "";
  for (;;) {
    if (run.child.exitCode !== null) throw new Error(`the worker exited:\n${run.output()}`);
    text = await fetch(`http://127.0.0.1:${port}/metrics`).then(
      (r) => r.text(),
      () => "",
    );
    if (text) break;
    if (Date.now() > deadline) throw new Error(`no metrics:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(text).toContain("# TYPE wallet_apns_pushes_total counter");
  expect(text).toContain("# TYPE wallet_google_requests_total counter");
  expect(text).toContain("process_cpu_seconds_total");
  // Its health for container and Kubernetes probes: the database answers.
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  expect(health.status).toBe(200);
  expect(await health.json()).toEqual({ status: "ok", database: "ok" });
  expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
  run.child.kill("SIGTERM");
  expect(await run.exited).toBe(0);
});

it("WEB_CONCURRENCY=2 runs two server processes on one port, and SIGTERM stops them all", async () => {
  const port = await freePort();
  const run = server({ PORT: String(port), DATABASE_URL: database.url, WEB_CONCURRENCY: "2", LOG_LEVEL: "info" });
  await healthy(port, run);
  const deadline = Date.now() + 60_000;
  let forked: number[] = [];
  while (Date.now() < deadline) {
    forked = childrenOf(run.child.pid!);
    if (forked.length === 2 && (run.output().match(/Server listening/g) ?? []).length >= 2) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect(forked, run.output()).toHaveLength(2);
  // Requests are answered whichever process takes them.
  for (let i = 0; i < 10; i++) expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  const sent = Date.now();
  run.child.kill("SIGTERM");
  expect(await run.exited, run.output()).toBe(0);
  expect(Date.now() - sent).toBeLessThan(10_000);
  for (const pid of forked) expect(alive(pid)).toBe(false);
  expect(run.output()).not.toMatch(/"level":"(error|fatal)"/);
});

function childrenOf(pid: number): number[] {
  try {
    return execFileSync("pgrep", ["-P", String(pid)], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
