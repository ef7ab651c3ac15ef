// `npm start` with no DATABASE_URL: the server starts its own Postgres (as the postgres user when run as root),
// serves /health, works with the CLI, stops cleanly on SIGTERM/SIGINT and reuses its data on the next start.
import { type ChildProcess, execFile } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { afterAll, expect, it } from "vitest";
import { type Collected, spawnCollecting } from "../helpers/process.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
const tsx = join(root, "node_modules/.bin/tsx");

// Below Linux's ephemeral range (32768–60999), so no outgoing connection of a parallel test holds the port.
const port = 20000 + 2 * Math.floor(Math.random() * 5000);
const pgPort = port + 1;
const secret = "e".repeat(40);
let dataDir: string;
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  return {
    ...rest,
    ...extra,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    METRICS_PORT: "off",
    LOG_LEVEL: extra.LOG_LEVEL ?? "warn",
    BOOTSTRAP_API_KEY: "bootstrap",
    BOOTSTRAP_API_SECRET: secret,
  };
}

function startServer(logLevel = "warn"): Collected {
  const run = spawnCollecting(tsx, ["src/server.ts"], { cwd: root, env: env({ LOG_LEVEL: logLevel }) });
  children.push(run.child);
  return run;
}

async function waitForHealth(output: () => string): Promise<void> {
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`);
      if (res.status === 200) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server did not become healthy:\n${output()}`);
}

const auth = (key: string, s: string) => ({ authorization: `Basic ${Buffer.from(`${key}:${s}`).toString("base64")}` });

async function postgresAnswers(): Promise<boolean> {
  const client = new pg.Client({ host: "127.0.0.1", port: pgPort, user: "postgres", database: "postgres" });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch (error) {
    // A password error still means a server answered.
    return !/ECONNREFUSED/.test(String((error as Error).message));
  }
}

it("starts on the embedded Postgres, stops cleanly and reuses its data", async () => {
  dataDir = await mkdtemp(join(tmpdir(), "wallet-embedded-"));
  await chmod(dataDir, 0o755); // as root, the postgres user must be able to enter it

  const first = startServer();
  await waitForHealth(first.output);
  const health = await fetch(`http://127.0.0.1:${port}/health`);
  expect(await health.json()).toEqual({ status: "ok", database: "ok" });
  expect((await fetch(`http://127.0.0.1:${port}/v1/project`, { headers: auth("bootstrap", secret) })).status).toBe(200);

  // The CLI, run beside the server, uses the same embedded database.
  const { stdout } = await run(tsx, ["src/cli.ts", "apikey", "create", "--name", "from-cli"], {
    cwd: root,
    env: env(),
  });
  const created = JSON.parse(stdout.trim());
  expect(created).toEqual({
    key: expect.stringMatching(/^wk_/),
    secret: expect.any(String),
    accountId: expect.any(Number),
  });
  expect(Buffer.from(created.secret, "base64url").length).toBeGreaterThanOrEqual(32);
  const project = await fetch(`http://127.0.0.1:${port}/v1/project`, {
    method: "POST",
    headers: { ...auth(created.key, created.secret), "content-type": "application/json" },
    body: JSON.stringify({ name: "Survives restarts", projectType: "loyalty" }),
  });
  expect(project.status).toBe(200);
  const { id } = (await project.json()) as { id: number };

  first.child.kill("SIGTERM");
  expect(await first.exited).toBe(0);
  expect(await postgresAnswers()).toBe(false);

  const second = startServer();
  await waitForHealth(second.output);
  const again = await fetch(`http://127.0.0.1:${port}/v1/project/${id}`, {
    headers: auth(created.key, created.secret),
  });
  expect(again.status).toBe(200);
  expect(((await again.json()) as { name: string }).name).toBe("Survives restarts");
  expect(second.output()).not.toContain(secret);
  expect(second.output()).not.toContain(created.secret);

  second.child.kill("SIGINT");
  expect(await second.exited).toBe(0);
  expect(await postgresAnswers()).toBe(false);
}, 180_000);
