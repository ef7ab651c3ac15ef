// Airship's /v1/certificates over real HTTP: an account's Apple certificates uploaded as base64 .p12 (made by
// openssl), checked, renewed when the pass type and team match, never answered with their key; the enabled default
// signs (openssl verifies) the passes of the account's projects that have no certificate of their own.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueIdentity, passCertificateName, toPem } from "../../src/apple/x509.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { type TestPki, testPki, verifyBundle } from "../helpers/apple.js";

let pki: TestPki;
let server: TestServer;
let projectId: number;

beforeAll(async () => {
  pki = testPki("pass.com.example.account", "ACCOUNT123");
  // The server trusts the test "WWDR" and has no default identity: without certificates, the development one signs.
  server = await startTestServer({ apple: { wwdr: pki.setup.wwdr } });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Signed", projectType: "memberCard" } })).json
    .id;
});
afterAll(() => server.close());

/** Base64 of a .p12 made by openssl for a pass certificate of `passType` issued by the test WWDR. */
function p12Base64(passType: string, team: string, password: string): string {
  const identity = issueIdentity(passCertificateName(passType, team, "Account Org"), {
    issuer: pki.wwdr,
    isCa: false,
    days: 365,
  });
  const base = join(pki.dir, `${passType}-${Date.now()}-${Math.random()}`);
  writeFileSync(`${base}.crt`, toPem(identity.certificate));
  writeFileSync(`${base}.key`, identity.privateKey.export({ type: "pkcs8", format: "pem" }));
  execFileSync("openssl", [
    "pkcs12",
    "-export",
    "-inkey",
    `${base}.key`,
    "-in",
    `${base}.crt`,
    "-certfile",
    pki.files.wwdr,
    "-passout",
    `pass:${password}`,
    "-out",
    `${base}.p12`,
  ]);
  // As Airship asks: base64 with its newlines (which the server ignores).
  return readFileSync(`${base}.p12`)
    .toString("base64")
    .replace(/(.{76})/g, "$1\n");
}

async function signerOf(): Promise<{ source: string; passTypeIdentifier: string }> {
  return (await server.call("GET", `/v1/project/${projectId}/apple/certificate`)).json;
}

async function signedPassType(): Promise<string> {
  const templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  const passId = (await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json.id;
  const pkpass = await server.call("GET", `/v1/pass/${passId}/download`);
  expect(pkpass.status).toBe(200);
  const response = await fetch(`${server.baseUrl}/v1/pass/${passId}/download`, {
    headers: {
      authorization: `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`,
    },
  });
  return verifyBundle(Buffer.from(await response.arrayBuffer()), pki.files.root).passJson.passTypeIdentifier as string;
}

describe("/v1/certificates", () => {
  it("adds, renews, lists, updates and deletes an account's certificate, and its default signs the projects", async () => {
    expect((await signerOf()).source).toBe("development");
    const certificate = p12Base64("pass.com.example.account", "ACCOUNT123", "s3cret");
    const created = await server.call("POST", "/v1/certificates", {
      body: {
        vendor: "Apple",
        name: "Loyalty",
        certificate,
        password: "s3cret",
        comment: "first upload",
        enabled: true,
        default: true,
      },
    });
    expect(created.status, created.text).toBe(201);
    expect(created.json).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      vendor: "Apple",
      name: "Loyalty",
      comment: "first upload",
      enabled: true,
      default: true,
      baseName: "pass.com.example.account",
      teamIdentifier: "ACCOUNT123",
      organizationName: "Account Org",
      expirationDate: expect.any(String),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(created.text).not.toContain("PRIVATE KEY");
    expect(created.text).not.toContain("s3cret");
    const { id } = created.json;

    // The account's default now signs the project, which has none of its own.
    expect(await signerOf()).toMatchObject({ source: "account", passTypeIdentifier: "pass.com.example.account" });
    expect(await signedPassType()).toBe("pass.com.example.account");

    // The same pass type and team again: the certificate is renewed in place (same id), not added.
    const renewed = await server.call("POST", "/v1/certificates", {
      body: { certificate: p12Base64("pass.com.example.account", "ACCOUNT123", "other"), password: "other" },
    });
    expect(renewed.status, renewed.text).toBe(200);
    expect(renewed.json).toMatchObject({ id, name: "Loyalty", default: true });
    expect((await server.call("GET", "/v1/certificates")).json.certificates).toHaveLength(1);
    expect((await server.call("GET", `/v1/certificates/${id}`)).json.id).toBe(id);
    // The start-up warning names account certificates too (this one expires within a year, not within 30 days).
    const warnings = (days: number) => server.app.services.apple.identities.expiringWithin(days);
    expect((await warnings(400)).some((w) => w.includes(`certificate ${id}`))).toBe(true);
    expect((await warnings(30)).some((w) => w.includes(`certificate ${id}`))).toBe(false);

    // Disabled, it signs nothing; enabled again, it does.
    const disabled = await server.call("PUT", `/v1/certificates/${id}`, { body: { enabled: false, comment: null } });
    expect(disabled.status).toBe(200);
    expect(disabled.json.enabled).toBe(false);
    expect(disabled.json.comment).toBeUndefined();
    expect((await signerOf()).source).toBe("development");
    await server.call("PUT", `/v1/certificates/${id}`, { body: { enabled: true } });
    expect((await signerOf()).source).toBe("account");

    // Another pass type is another certificate: refused as an update of this one, added as its own; one default.
    const otherP12 = p12Base64("pass.com.example.second", "ACCOUNT123", "pw");
    const mismatch = await server.call("PUT", `/v1/certificates/${id}`, {
      body: { certificate: otherP12, password: "pw" },
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.error).toContain("pass.com.example.second");
    const second = await server.call("POST", "/v1/certificates", {
      body: { name: "Second", certificate: otherP12, password: "pw", default: true },
    });
    expect(second.status, second.text).toBe(201);
    const list = (await server.call("GET", "/v1/certificates")).json.certificates as Array<{
      id: string;
      default: boolean;
    }>;
    expect(list.map((c) => [c.id === id, c.default])).toEqual([
      [true, false],
      [false, true],
    ]);
    expect(await signedPassType()).toBe("pass.com.example.second");

    const deleted = await server.call("DELETE", `/v1/certificates/${second.json.id}`);
    expect(deleted.status).toBe(204);
    const gone = await server.call("GET", `/v1/certificates/${second.json.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe("ACCOUNT_CERTIFICATE_NOT_FOUND");
    expect((await signerOf()).source).toBe("development");
  });

  it("refuses bad uploads by name, and keeps each account's certificates its own", async () => {
    const good = p12Base64("pass.com.example.account", "ACCOUNT123", "right");
    const bad: Array<[unknown, string]> = [
      [{ name: "x" }, "certificate is required"],
      [{ certificate: "not base64!" }, "certificate must be the base64"],
      [{ certificate: good, password: "wrong" }, "password"],
      [{ certificate: good, password: "right", vendor: "Google" }, "vendor"],
      [{ certificate: good, password: "right", default: "yes" }, "default"],
      [{ certificate: Buffer.from("garbage").toString("base64") }, "certificate"],
    ];
    for (const [body, problem] of bad) {
      const answer = await server.call("POST", "/v1/certificates", { body });
      expect(answer.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(JSON.stringify(answer.json).toLowerCase()).toContain(problem.toLowerCase());
    }
    const mine = await server.call("POST", "/v1/certificates", { body: { certificate: good, password: "right" } });
    expect([200, 201]).toContain(mine.status);
    const other = await server.newAccount("other");
    expect((await server.call("GET", `/v1/certificates/${mine.json.id}`, { as: other })).status).toBe(404);
    expect((await server.call("GET", "/v1/certificates", { as: other })).json.certificates).toEqual([]);
    expect((await server.call("DELETE", `/v1/certificates/${mine.json.id}`, { as: other })).status).toBe(404);
    expect((await server.call("GET", "/v1/certificates/not-a-uuid")).status).toBe(404);
    // Certificates span the account: a key limited to one project cannot reach them.
    const limited = await server.app.apiKeys.create("one project", server.credentials.accountId, { projectId });
    const refused = await server.call("GET", "/v1/certificates", {
      as: { ...limited, accountId: server.credentials.accountId },
    });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe("PROJECT_FORBIDDEN");
  });
});
