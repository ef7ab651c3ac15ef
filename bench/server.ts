// Starts the real server in a child process on a fresh database, for benchmarks that load it over loopback.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import pg from "pg";

const root = new URL("../", import.meta.url).pathname;

export interface BenchServer {
  readonly baseUrl: string;
  readonly auth: string;
  readonly databaseUrl: string;
  /** The server's process. */
  readonly pid: number;
  stop(): Promise<void>;
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query(sql);
  await client.end();
}

/** A server on BENCH_DATABASE_URL's Postgres (default the local one), in database `wallet_bench`. */
export async function startBenchServer(extraEnv: Record<string, string> = {}): Promise<BenchServer> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  await adminQuery(adminUrl, "DROP DATABASE IF EXISTS wallet_bench WITH (FORCE)");
  await adminQuery(adminUrl, "CREATE DATABASE wallet_bench");
  const url = new URL(adminUrl);
  url.pathname = "/wallet_bench";
  const databaseUrl = url.toString();
  const port = 43000 + Math.floor(Math.random() * 2000);
  const secret = randomBytes(32).toString("base64url");
  // Started as `npm start` starts it (its heap cap included).
  const heap = `--max-old-space-size=${process.env.WALLET_MAX_HEAP_MB ?? "192"}`;
  const child: ChildProcess = spawn(process.execPath, [heap, "--import", "tsx", "src/server.ts"], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      METRICS_PORT: "off",
      DB_POOL_MAX: process.env.DB_POOL_MAX ?? "10",
      BOOTSTRAP_API_KEY: "bench",
      BOOTSTRAP_API_SECRET: secret,
      ...extraEnv,
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/health`)).ok) break;
    } catch {}
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("bench server did not start");
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    baseUrl,
    databaseUrl,
    pid: child.pid!,
    auth: `Basic ${Buffer.from(`bench:${secret}`).toString("base64")}`,
    async stop() {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await exited;
      await adminQuery(adminUrl, "DROP DATABASE IF EXISTS wallet_bench WITH (FORCE)");
    },
  };
}
