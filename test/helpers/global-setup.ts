// Finds the Postgres server the tests use: TEST_DATABASE_URL (default the local server), or, when nothing answers
// there, an embedded Postgres started for this run. Each test file then makes its own database on it.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../src/db/embedded.js";

declare module "vitest" {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    await client.end();
    return true;
  } catch {
    return false;
  }
}

export default async function setup(project: TestProject) {
  const url = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (await answers(url)) {
    project.provide("adminDatabaseUrl", url);
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), "wallet-test-pg-"));
  await chmod(dir, 0o755); // as root, Postgres runs as the postgres user, which must be able to enter it
  const port = 55000 + Math.floor(Math.random() * 5000);
  console.log(`no Postgres at ${url.replace(/\/\/[^@]*@/, "//")}; starting an embedded one on port ${port}`);
  const embedded = await startEmbeddedPostgres(dir, port, { info: () => {}, warn: console.warn });
  project.provide("adminDatabaseUrl", embedded.connectionString);
  return async () => {
    await embedded.stop();
    await rm(dir, { recursive: true, force: true });
  };
}
