// Secrets at rest across a fresh data directory and a key rotation: every sealed column (a schema check keeps the
// list complete) is read by a process that has only the key — no data directory of the server's — and
// `cli secrets rotate-key` re-encrypts every one under the new key, reading the old one as the previous key.

import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { SecretBox } from "../../src/secrets/encryption.js";
import { SEALED_COLUMNS } from "../../src/secrets/rotation-store.js";
import { startFakeGoogle } from "../fakes/google.js";
import { startTestServer, TEST_WALLET_ENCRYPTION_KEY, type TestServer } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";

const root = new URL("../../", import.meta.url).pathname;
let server: TestServer;
const dirs: string[] = [];

beforeAll(async () => {
  const pki = testPki("pass.com.example.rotation", "ROTATE1234");
  server = await startTestServer({ apple: pki.setup });
  const google = await startFakeGoogle();
  const projectId = (await server.call("POST", "/v1/project", { body: { name: "Secrets", projectType: "loyalty" } }))
    .json.id;
  const calls = [
    server.call("PUT", `/v1/project/${projectId}/apple/certificate`, {
      body: { certificate: pki.passCertPem, privateKey: pki.passKeyPem },
    }),
    server.call("PUT", `/v1/project/${projectId}/google/credentials`, {
      body: { issuerId: "3388000000011111111", serviceAccount: google.serviceAccount },
    }),
    server.call("POST", `/v1/project/${projectId}/settings/callback`, {
      body: { baseUrl: "https://crm.example/hooks", headers: { Authorization: "Bearer crm-secret-1" } },
    }),
    server.call("POST", "/v0/webhookEndpoints", {
      body: { url: "https://crm.example/badge" },
      headers: { authorization: `Bearer ${server.credentials.secret}` },
    }),
  ];
  for (const answer of await Promise.all(calls)) expect(answer.status, answer.text).toBe(200);
  await google.close();
  // A token signing key, and a rotated webhook secret (its previous secret is sealed too).
  await server.app.services.tokens.rotate();
  const endpoint = (
    await server.call("GET", "/v0/webhookEndpoints", {
      headers: { authorization: `Bearer ${server.credentials.secret}` },
    })
  ).json.data[0].id;
  await server.call("POST", `/v0/webhookEndpoints/${endpoint}/rotateSecret`, {
    headers: { authorization: `Bearer ${server.credentials.secret}` },
  });
});
afterAll(async () => {
  await server?.close();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: NodeJS.ProcessEnv) {
  const dataDir = await mkdtemp(join(tmpdir(), "fresh-data-"));
  dirs.push(dataDir);
  const { DATABASE_URL: _a, WALLET_ENCRYPTION_KEY: _b, WALLET_ENCRYPTION_KEY_PREVIOUS: _c, ...rest } = process.env;
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
      cwd: root,
      env: { ...rest, DATABASE_URL: server.database.url, DATA_DIR: dataDir, ...env },
    });
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return failed;
  }
}

/** How many stored secrets a key opens, and how many there are. */
async function opened(key: string): Promise<{ opened: number; total: number }> {
  const box = SecretBox.fromText(key);
  let count = 0;
  let total = 0;
  for (const [table, , column] of SEALED_COLUMNS) {
    const { rows } = await server.database.query<{ sealed: Buffer }>(
      `SELECT ${column} AS sealed FROM ${table} WHERE ${column} IS NOT NULL`,
    );
    for (const row of rows) {
      total++;
      try {
        box.open(row.sealed);
        count++;
      } catch {}
    }
  }
  return { opened: count, total };
}

it("lists every sealed column of the schema (only image bytes and signed bundles are not secrets)", async () => {
  const { rows } = await server.database.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = 'public' AND data_type = 'bytea' ORDER BY 1, 2`,
  );
  const listed = SEALED_COLUMNS.map(([table, , column]) => `${table}.${column}`).sort();
  expect(
    rows
      .map((r) => `${r.table_name}.${r.column_name}`)
      .filter((c) => !["images.data", "signed_bundles.bytes"].includes(c)),
  ).toEqual(listed);
});

it("reads every stored secret from a fresh data directory with the same key, and none with another", async () => {
  const before = await opened(TEST_WALLET_ENCRYPTION_KEY);
  expect(before.total).toBeGreaterThanOrEqual(6);
  expect(before.opened).toBe(before.total);
  const same = await cli(["secrets", "rotate-key"], { WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY });
  expect(same.code, same.stderr).toBe(0);
  const counts = Object.values(JSON.parse(same.stdout).rotated) as { resealed: number; fromPreviousKey: number }[];
  // (Starting the CLI may add a development credential; every secret there is now was read.)
  const after = await opened(TEST_WALLET_ENCRYPTION_KEY);
  expect(after.opened).toBe(after.total);
  expect(counts.reduce((n, c) => n + c.resealed, 0)).toBe(after.total);
  const other = await cli(["secrets", "rotate-key"], { WALLET_ENCRYPTION_KEY: randomBytes(32).toString("base64") });
  expect(other.code).toBe(1);
  expect(other.stderr).toMatch(/could not be decrypted/);
  // Nothing changed: a failed rotation rolls back.
  expect((await opened(TEST_WALLET_ENCRYPTION_KEY)).opened).toBe(after.total);
});

it("rotates every secret to a new key in one go, reading the old one as the previous key", async () => {
  const next = randomBytes(32).toString("base64");
  const rotated = await cli(["secrets", "rotate-key"], {
    WALLET_ENCRYPTION_KEY: next,
    WALLET_ENCRYPTION_KEY_PREVIOUS: TEST_WALLET_ENCRYPTION_KEY,
  });
  expect(rotated.code, rotated.stderr).toBe(0);
  const counts = Object.values(JSON.parse(rotated.stdout).rotated) as { resealed: number; fromPreviousKey: number }[];
  const { total } = await opened(next);
  expect(counts.reduce((n, c) => n + c.fromPreviousKey, 0)).toBe(total);
  expect(await opened(next)).toEqual({ opened: total, total });
  expect((await opened(TEST_WALLET_ENCRYPTION_KEY)).opened).toBe(0);
});
