// Hostile certificate uploads: key-derivation iteration counts that would stall the process. Crafted from real
// openssl output by rewriting the (unauthenticated) iteration count in place. The server must answer within 3 s,
// with a 400 naming the problem, while /health keeps answering within 500 ms.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isJsonError, startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki } from "../helpers/apple.js";

let server: TestServer;
let pki: TestPki;
let projectId: number;

beforeAll(async () => {
  pki = testPki("pass.com.example.hostile", "HOSTILE123");
  server = await startTestServer({ apple: { wwdr: pki.setup.wwdr } });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Certs", projectType: "loyalty" } })).json.id;
});
afterAll(() => server.close());

/** The 3-byte iteration count 40,000 (02 03 00 9c 40) rewritten to `count` (< 2^23, same length). */
function withIterations(der: Buffer, count: number, which: "last" | "all"): Buffer {
  const pattern = Buffer.from([0x02, 0x03, 0x00, 0x9c, 0x40]);
  const out = Buffer.from(der);
  const replacement = Buffer.from([0x02, 0x03, (count >> 16) & 0x7f, (count >> 8) & 0xff, count & 0xff]);
  let at = which === "last" ? out.lastIndexOf(pattern) : out.indexOf(pattern);
  expect(at).toBeGreaterThan(0);
  while (at >= 0) {
    replacement.copy(out, at);
    if (which === "last") break;
    at = out.indexOf(pattern, at + 1);
  }
  return out;
}

function p12(): Buffer {
  const file = join(pki.dir, "hostile.p12");
  execFileSync("openssl", [
    "pkcs12",
    "-export",
    "-in",
    pki.files.passCert,
    "-inkey",
    pki.files.passKey,
    "-passout",
    "pass:pw",
    "-iter",
    "40000",
    "-maciter",
    "-out",
    file,
  ]);
  return readFileSync(file);
}

function encryptedKeyPem(): string {
  return execFileSync("openssl", [
    "pkcs8",
    "-topk8",
    "-in",
    pki.files.passKey,
    "-v2",
    "aes-256-cbc",
    "-iter",
    "40000",
    "-passout",
    "pass:pw",
    "-outform",
    "DER",
  ]).toString("base64");
}

/** Uploads while polling /health; returns the upload's answer, its time, and the slowest /health answer. */
async function uploadWatchingHealth(body: unknown) {
  const started = Date.now();
  let done = false;
  const upload = server.call("PUT", `/v1/project/${projectId}/apple/certificate`, { body }).finally(() => {
    done = true;
  });
  let slowestHealth = 0;
  let healthChecks = 0;
  while (!done) {
    const t = Date.now();
    const health = await fetch(`${server.baseUrl}/health`);
    expect(health.status).toBe(200);
    slowestHealth = Math.max(slowestHealth, Date.now() - t);
    healthChecks++;
    await new Promise((r) => setTimeout(r, 50));
  }
  const response = await upload;
  return { response, elapsed: Date.now() - started, slowestHealth, healthChecks };
}

describe("certificate uploads", () => {
  it("refuses a .p12 whose MAC asks for millions of iterations, naming the count", async () => {
    const crafted = withIterations(p12(), 8_000_000, "last");
    const { response, elapsed } = await uploadWatchingHealth({
      certificate: crafted.toString("base64"),
      password: "pw",
    });
    expect(response.status).toBe(400);
    expect(isJsonError(response)).toBe(true);
    expect(response.json.code).toBe("ITERATION_COUNT_TOO_HIGH");
    expect(response.json.error).toMatch(/8,000,000 iterations; at most 2,000,000/);
    expect(elapsed).toBeLessThan(3000);
  });

  it("refuses an encrypted PKCS#8 key whose PBKDF2 count is huge", async () => {
    const der = Buffer.from(encryptedKeyPem(), "base64");
    const crafted = withIterations(der, 8_000_000, "all");
    const pem = `-----BEGIN ENCRYPTED PRIVATE KEY-----\n${crafted.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END ENCRYPTED PRIVATE KEY-----\n`;
    const { response, elapsed } = await uploadWatchingHealth({
      certificate: pki.passCertPem,
      privateKey: pem,
      password: "pw",
    });
    expect(response.status).toBe(400);
    expect(response.json.code).toBe("ITERATION_COUNT_TOO_HIGH");
    expect(elapsed).toBeLessThan(3000);
  });

  it("answers within 3 s, with /health within 500 ms throughout, when a file under the cap is still too costly", async () => {
    // 2,000,000 PKCS#12 MAC iterations: allowed by count, but far too slow for node-forge's JavaScript KDF.
    const crafted = withIterations(p12(), 2_000_000, "last");
    const { response, elapsed, slowestHealth, healthChecks } = await uploadWatchingHealth({
      certificate: crafted.toString("base64"),
      password: "pw",
    });
    expect(response.status).toBe(400);
    expect(isJsonError(response)).toBe(true);
    expect(response.json.error).toMatch(/took longer than|password/);
    expect(elapsed).toBeLessThan(3000);
    expect(healthChecks).toBeGreaterThan(2);
    expect(slowestHealth).toBeLessThan(500);
    // The server still imports a sound .p12 afterwards.
    const ok = await server.call("PUT", `/v1/project/${projectId}/apple/certificate`, {
      body: { certificate: p12().toString("base64"), password: "pw" },
    });
    expect(ok.status, ok.text).toBe(200);
  });
});
