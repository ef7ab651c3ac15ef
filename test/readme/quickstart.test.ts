// The README's quick start, run as written (the block after the `<!-- quickstart` marker) against a fresh server:
// every command must succeed, and what it leaves behind must be what the README promises — a signed .pkpass of
// the pass, a Google save link, the adaptive link's .pkpass, and the pass's changed value.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, TEST_WALLET_ENCRYPTION_KEY, type TestServer } from "../helpers/app.js";
import { testPki, unpack, verifyBundle } from "../helpers/apple.js";

const root = new URL("../../", import.meta.url).pathname;
/** What the quick start writes into the working directory. */
const LEFT_BEHIND = ["key.json", "ada.pkpass", "link.json", "welcome.pkpass"];
const pki = testPki();
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ apple: pki.setup });
});
afterAll(async () => {
  await server?.close();
  for (const file of LEFT_BEHIND) rmSync(join(root, file), { force: true });
});

function quickStart(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const marker = readme.indexOf("<!-- quickstart");
  expect(marker).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(marker));
  if (!block) throw new Error("no quick-start block after the marker");
  return block[1]!;
}

it("runs the README's quick start as written", async () => {
  const { DATABASE_URL: _a, WALLET_ENCRYPTION_KEY: _b, ...rest } = process.env;
  const run = await promisify(execFile)("bash", ["-euo", "pipefail", "-c", quickStart()], {
    cwd: root,
    env: {
      ...rest,
      BASE: server.baseUrl,
      DATABASE_URL: server.database.url,
      WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY,
      LOG_LEVEL: "warn",
    },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((error: { stdout: string; stderr: string; code: number }) => {
    throw new Error(`quick start failed (${error.code}):\n${error.stdout}\n${error.stderr}`);
  });
  for (const file of LEFT_BEHIND) expect(existsSync(join(root, file)), file).toBe(true);
  // The pass: signed (verified with openssl against the test root), with the values the quick start gave it.
  const ada = verifyBundle(readFileSync(join(root, "ada.pkpass")), pki.files.root);
  const passJson = ada.passJson as {
    storeCard: { primaryFields: { value: string }[] };
    barcodes: { message: string }[];
  };
  expect(passJson.storeCard.primaryFields[0]!.value).toBe("3");
  expect(passJson.barcodes[0]!.message).toBe("ada-1815");
  // The Google save link.
  expect(run.stdout).toMatch(/https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+/);
  // The adaptive link's pass.
  expect(unpack(readFileSync(join(root, "welcome.pkpass"))).passJson).toMatchObject({
    organizationName: expect.any(String),
  });
  // The change landed.
  const key = JSON.parse(readFileSync(join(root, "key.json"), "utf8")) as {
    key: string;
    secret: string;
    accountId: number;
  };
  const pass = (await server.call("GET", "/v1/pass/id/ada-apple", { as: key })).json;
  expect(pass.fields.Stamps.value).toBe("4");
});
