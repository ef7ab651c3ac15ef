// Apple signing identities: import over the API (PEM, or a .p12 made by openssl) and the CLI, validated (key
// matches, not expired, chains to WWDR, is a Pass Type ID certificate), stored encrypted; the server-wide default
// from env; and the development CA when there is no certificate at all.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAppleSetup } from "../../src/apple/setup.js";
import { issueIdentity, passCertificateName, toPem } from "../../src/apple/x509.js";
import { ConfigError, loadConfig } from "../../src/config.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, TEST_WALLET_ENCRYPTION_KEY, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki, verifyBundle } from "../helpers/apple.js";

const root = new URL("../../", import.meta.url).pathname;
let pki: TestPki;
let server: TestServer;

beforeAll(async () => {
  pki = testPki("pass.com.example.imported", "IMPORT1234");
  // The server trusts the test "WWDR", with no default identity: projects without their own use the dev CA.
  server = await startTestServer({ apple: { wwdr: pki.setup.wwdr } });
});
afterAll(() => server.close());

const newProject = async (name: string) =>
  (await server.call("POST", "/v1/project", { body: { name, projectType: "memberCard" } })).json.id as number;

async function signedPass(projectId: number): Promise<Buffer> {
  const templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  const passId = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json.id;
  const response = await fetch(`${server.baseUrl}/v1/pass/${passId}/download`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`,
    },
  });
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

function p12(password: string): Buffer {
  const out = join(pki.dir, `identity-${password}.p12`);
  execFileSync("openssl", [
    "pkcs12",
    "-export",
    "-inkey",
    pki.files.passKey,
    "-in",
    pki.files.passCert,
    "-certfile",
    pki.files.wwdr,
    "-passout",
    `pass:${password}`,
    "-out",
    out,
  ]);
  return readFileSync(out);
}

describe("without any certificate", () => {
  it("signs with the generated development identity, whose CA verifies the bundle", async () => {
    const projectId = await newProject("Dev");
    const summary = await server.call("GET", `/v1/project/${projectId}/apple/certificate`);
    expect(summary.json).toMatchObject({ source: "development", passTypeIdentifier: "pass.dev.wallet-pass-server" });
    const { rows } = await server.database.query<{ chain_pem: string }>(
      "SELECT chain_pem FROM apple_identities WHERE kind = 'development'",
    );
    const caFile = join(pki.dir, "dev-ca.pem");
    writeFileSync(caFile, rows[0]!.chain_pem);
    const bundle = verifyBundle(await signedPass(projectId), caFile);
    expect(bundle.passJson.passTypeIdentifier).toBe("pass.dev.wallet-pass-server");
  });
});

describe("import over the API", () => {
  it("imports PEM certificate and key, signs the project's passes with it, and removes it", async () => {
    const projectId = await newProject("PEM");
    const imported = await server.call("PUT", `/v1/project/${projectId}/apple/certificate`, {
      body: { certificate: pki.passCertPem, privateKey: pki.passKeyPem },
    });
    expect(imported.status).toBe(200);
    expect(imported.json).toMatchObject({
      source: "project",
      projectId,
      passTypeIdentifier: "pass.com.example.imported",
      teamIdentifier: "IMPORT1234",
      organizationName: "Test Org",
    });
    const bundle = verifyBundle(await signedPass(projectId), pki.files.root);
    expect(bundle.passJson).toMatchObject({
      passTypeIdentifier: "pass.com.example.imported",
      teamIdentifier: "IMPORT1234",
    });
    // The private key is stored encrypted: neither its PEM nor its DER appears in the row.
    const { rows } = await server.database.query<{ private_key_encrypted: Buffer }>(
      "SELECT private_key_encrypted FROM apple_identities WHERE project_id = $1",
      [projectId],
    );
    const stored = rows[0]!.private_key_encrypted;
    const der = Buffer.from(pki.passKeyPem.replace(/-----[A-Z ]+-----|\s/g, ""), "base64");
    expect(stored.includes(der.subarray(40, 80))).toBe(false);
    expect(stored.toString("latin1")).not.toContain("PRIVATE KEY");

    const removed = await server.call("DELETE", `/v1/project/${projectId}/apple/certificate`);
    expect(removed.status).toBe(200);
    expect((await server.call("GET", `/v1/project/${projectId}/apple/certificate`)).json.source).toBe("development");
    expect((await server.call("DELETE", `/v1/project/${projectId}/apple/certificate`)).status).toBe(404);
  });

  it("imports a .p12 with its password; a wrong password is a 400", async () => {
    const projectId = await newProject("P12");
    const bytes = p12("s3cret").toString("base64");
    const wrong = await server.call("PUT", `/v1/project/${projectId}/apple/certificate`, {
      body: { certificate: bytes, password: "nope" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.text).toMatch(/password/);
    const ok = await server.call("PUT", `/v1/project/${projectId}/apple/certificate`, {
      body: { certificate: bytes, password: "s3cret" },
    });
    expect(ok.status).toBe(200);
    expect(ok.json.passTypeIdentifier).toBe("pass.com.example.imported");
    verifyBundle(await signedPass(projectId), pki.files.root);
  });

  it("rejects certificates that cannot sign real passes, naming the problem", async () => {
    const projectId = await newProject("Bad");
    const other = testPki("pass.com.example.other", "OTHER12345"); // another CA: not issued by our WWDR
    const expired = issueIdentity(passCertificateName("pass.com.example.old", "OLD1234567", "Old"), {
      issuer: pki.wwdr,
      isCa: false,
      days: 1,
      notBefore: new Date(Date.now() - 3 * 86_400_000),
    });
    const notPass = issueIdentity([["CN", "Just a client"]], { issuer: pki.wwdr, isCa: false, days: 30 });
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ certificate: pki.passCertPem, privateKey: other.passKeyPem }, /does not match/],
      [{ certificate: other.passCertPem, privateKey: other.passKeyPem }, /not issued by/],
      [
        {
          certificate: toPem(expired.certificate),
          privateKey: expired.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        },
        /expired/,
      ],
      [
        {
          certificate: toPem(notPass.certificate),
          privateKey: notPass.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        },
        /Pass Type ID/,
      ],
      [{ certificate: pki.passCertPem }, /no private key/],
      [{ certificate: "bm90IGEgY2VydGlmaWNhdGU=" }, /certificate/],
    ];
    for (const [body, message] of cases) {
      const response = await server.call("PUT", `/v1/project/${projectId}/apple/certificate`, { body });
      expect(response.status, response.text).toBe(400);
      expect(response.json.error).toMatch(message);
    }
    const { rowCount } = await server.database.query("SELECT 1 FROM apple_identities WHERE project_id = $1", [
      projectId,
    ]);
    expect(rowCount).toBe(0);
    const foreign = await server.newAccount("foreign");
    const hidden = await server.call("GET", `/v1/project/${projectId}/apple/certificate`, { as: foreign });
    expect(hidden.status).toBe(404);
  });
});

describe("expiry warnings", () => {
  it("warns at start about certificates that expire within 30 days", async () => {
    const projectId = await newProject("Expiring");
    const soon = issueIdentity(passCertificateName("pass.com.example.soon", "SOON123456", "Soon"), {
      issuer: pki.wwdr,
      isCa: false,
      days: 10,
    });
    const imported = await server.call("PUT", `/v1/project/${projectId}/apple/certificate`, {
      body: {
        certificate: toPem(soon.certificate),
        privateKey: soon.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      },
    });
    expect(imported.status).toBe(200);
    const warnings: string[] = [];
    await server.app.apple.identities.start({ warn: (message) => warnings.push(message) });
    expect(warnings.some((w) => w.includes("pass.com.example.soon") && w.includes(`project ${projectId}`))).toBe(true);
    expect(warnings.some((w) => w.includes("pass.com.example.imported"))).toBe(false);
  });
});

describe("the CLI", () => {
  const cli = (args: string[], extraEnv: Record<string, string> = {}) =>
    spawnSync(join(root, "node_modules/.bin/tsx"), ["src/cli.ts", "cert", ...args], {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: server.database.url,
        WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY,
        APPLE_WWDR_CERT: pki.files.wwdr,
        ...extraEnv,
      },
      encoding: "utf8",
    });

  it("imports a .p12 whose password comes from an environment variable, shows it and removes it", async () => {
    const projectId = await newProject("CLI");
    const file = join(pki.dir, "cli.p12");
    writeFileSync(file, p12("cli-pass"));
    const result = cli(["import", "--project", String(projectId), "--cert", file, "--password-env", "P12_PASSWORD"], {
      P12_PASSWORD: "cli-pass",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      source: "project",
      passTypeIdentifier: "pass.com.example.imported",
    });
    expect(result.stdout + result.stderr).not.toContain("cli-pass");
    verifyBundle(await signedPass(projectId), pki.files.root);

    const shown = cli(["show", "--project", String(projectId)]);
    expect(shown.status, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ source: "project", teamIdentifier: "IMPORT1234" });
    const removed = cli(["remove", "--project", String(projectId)]);
    expect(removed.status, removed.stderr).toBe(0);
    expect(JSON.parse(removed.stdout)).toEqual({ projectId, removed: true });
    const again = cli(["remove", "--project", String(projectId)]);
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("no certificate of its own");
  });
});

describe("the external-id path", () => {
  it("serves the certificate of a project named by its external id", async () => {
    const created = await server.call("POST", "/v1/project/id/cert-ext", {
      body: { name: "Ext", projectType: "memberCard" },
    });
    expect(created.status).toBe(200);
    const put = await server.call("PUT", "/v1/project/id/cert-ext/apple/certificate", {
      body: { certificate: pki.passCertPem, privateKey: pki.passKeyPem },
    });
    expect(put.json).toMatchObject({ source: "project", projectId: created.json.id });
    expect((await server.call("GET", "/v1/project/id/cert-ext/apple/certificate")).json.source).toBe("project");
    expect((await server.call("DELETE", "/v1/project/id/cert-ext/apple/certificate")).status).toBe(200);
    expect((await server.call("GET", "/v1/project/id/nope/apple/certificate")).status).toBe(404);
  });
});

describe("the server-wide default from the environment", () => {
  const env = (extra: Record<string, string>) => loadConfig({ APPLE_WWDR_CERT: pki.files.wwdr, ...extra });

  it("reads PEM certificate and key files, checked like an import", () => {
    const setup = loadAppleSetup(env({ APPLE_PASS_CERT: pki.files.passCert, APPLE_PASS_KEY: pki.files.passKey }).apple);
    expect(setup.defaultIdentity?.passTypeIdentifier).toBe("pass.com.example.imported");
  });

  it("reads a .p12 with APPLE_PASS_CERT_PASSWORD", () => {
    const file = join(pki.dir, "env.p12");
    writeFileSync(file, p12("env-pass"));
    const setup = loadAppleSetup(env({ APPLE_PASS_CERT: file, APPLE_PASS_CERT_PASSWORD: "env-pass" }).apple);
    expect(setup.defaultIdentity?.teamIdentifier).toBe("IMPORT1234");
  });

  it("refuses to start with a certificate not issued by APPLE_WWDR_CERT, or a missing file", () => {
    const other = testPki("pass.com.example.other", "OTHER12345");
    expect(() =>
      loadAppleSetup(env({ APPLE_PASS_CERT: other.files.passCert, APPLE_PASS_KEY: other.files.passKey }).apple),
    ).toThrow(ConfigError);
    expect(() => env({ APPLE_PASS_CERT: "/nonexistent/cert.pem" })).toThrow(/APPLE_PASS_CERT/);
    // The bundled WWDR is the default.
    expect(loadConfig({}).apple.wwdrCertFile.endsWith("certs/apple-wwdr-g4.pem")).toBe(true);
  });
});
