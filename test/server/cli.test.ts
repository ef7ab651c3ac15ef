// The CLI as an operator meets it: --help on stdout with exit 0 (each command's too), a mistake's usage on stderr
// with exit 2, and `doctor` checking a real installation — the database, a fake Google accepting the service
// account, PUBLIC_BASE_URL answering — and naming what to do about an APNs host that does not answer.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGoogle, startFakeGoogle } from "../fakes/google.js";
import { basic, startTestServer, TEST_WALLET_ENCRYPTION_KEY, type TestServer } from "../helpers/app.js";

const root = new URL("../../", import.meta.url).pathname;

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const { DATABASE_URL: _ignored, ...rest } = process.env;
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], {
      cwd: root,
      env: { ...rest, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe("help", () => {
  it("prints every command on stdout and exits 0; each command has its own --help", async () => {
    const help = await cli(["--help"]);
    expect(help.code).toBe(0);
    for (const command of [
      "migrate",
      "apikey create",
      "cert import",
      "deliveries replay",
      "tokens rotate-key",
      "doctor",
    ]) {
      expect(help.stdout).toContain(command);
    }
    const apikey = await cli(["apikey", "--help"]);
    expect(apikey.code).toBe(0);
    expect(apikey.stdout).toContain("apikey revoke KEY");
    expect(apikey.stdout).not.toContain("cert import");
  });

  it("answers an unknown command or option with usage on stderr and exit 2", async () => {
    for (const args of [["frobnicate"], ["--bogus"], []]) {
      const answer = await cli(args);
      expect(answer.code, args.join(" ")).toBe(2);
      expect(answer.stdout, args.join(" ")).toBe("");
      expect(answer.stderr, args.join(" ")).toContain("usage: npm run cli");
    }
  });
});

describe("doctor", () => {
  let server: TestServer;
  let google: FakeGoogle;
  let dir: string;

  beforeAll(async () => {
    server = await startTestServer();
    google = await startFakeGoogle();
    dir = await mkdtemp(join(tmpdir(), "doctor-"));
    await writeFile(join(dir, "sa.json"), JSON.stringify(google.serviceAccount));
  });
  afterAll(async () => {
    await server?.close();
    await google?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("checks the installation and says what to do about each failure", async () => {
    const report = await cli(["doctor"], {
      DATABASE_URL: server.database.url,
      WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY,
      DATA_DIR: dir,
      PUBLIC_BASE_URL: server.baseUrl,
      GOOGLE_SERVICE_ACCOUNT: join(dir, "sa.json"),
      GOOGLE_ISSUER_ID: google.issuerId,
      GOOGLE_TOKEN_URL: google.tokenUrl,
      APNS_HOST: "127.0.0.1:9",
    });
    expect(report.code).toBe(1);
    expect(report.stdout).toContain("✓ database");
    expect(report.stdout).toContain("✓ encryption key: WALLET_ENCRYPTION_KEY is set");
    expect(report.stdout).toContain("✓ Google credentials: an access token was issued");
    expect(report.stdout).toContain(`✓ PUBLIC_BASE_URL: ${server.baseUrl}/health answers 200`);
    expect(report.stdout).toMatch(/✗ APNs: 127\.0\.0\.1:9: .*\n\s+→ allow outbound HTTPS/);
    expect(report.stdout).toMatch(/! Apple pass certificate: APPLE_PASS_CERT is not set.*\n\s+→ import a Pass Type ID/);
  });
});

describe("limited keys and token keys", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());
  const env = () => ({ DATABASE_URL: server.database.url, WALLET_ENCRYPTION_KEY: TEST_WALLET_ENCRYPTION_KEY });

  it("creates a key limited to a project and scopes, in the project's account, and refuses unknown scopes", async () => {
    const project = (await server.call("POST", "/v1/project", { body: { name: "Limited", projectType: "coupon" } }))
      .json.id as number;
    const made = await cli(
      ["apikey", "create", "--name", "crm", "--project", String(project), "--scope", "wpas", "--scope", "wnot"],
      env(),
    );
    expect(made.code, made.stderr).toBe(0);
    const key = JSON.parse(made.stdout) as {
      key: string;
      secret: string;
      accountId: number;
      scopes: string[];
      projectId: number;
    };
    expect(key).toMatchObject({
      accountId: server.credentials.accountId,
      scopes: ["wpas", "wnot"],
      projectId: project,
    });
    const as = { as: key };
    expect((await server.call("GET", `/v1/project/${project}`, as)).json.code).toBe("SCOPE_REQUIRED");
    expect((await server.call("GET", "/v1/pass", as)).json.code).toBe("PROJECT_FORBIDDEN");
    const unknown = await cli(["apikey", "create", "--name", "x", "--scope", "wxyz"], env());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown scope wxyz/);
  });

  it("rotates the token signing key, and with --revoke-all ends the tokens issued so far", async () => {
    // A token issued before: its key is created on first use.
    const issued = await fetch(`${server.baseUrl}/token`, {
      method: "POST",
      headers: { authorization: basic(server.credentials), "content-type": "application/x-www-form-urlencoded" },
      body: "grant_type=client_credentials&scope=wpas",
    });
    expect(issued.status).toBe(200);
    const rotated = await cli(["tokens", "rotate-key"], env());
    expect(rotated.code, rotated.stderr).toBe(0);
    expect(JSON.parse(rotated.stdout)).toMatchObject({ kid: expect.stringMatching(/^[0-9a-f]{12}$/), retired: [] });
    const revoked = await cli(["tokens", "rotate-key", "--revoke-all"], env());
    expect(JSON.parse(revoked.stdout).revoked).toBe(2);
    const { rows } = await server.database.query<{ live: number; total: number }>(
      "SELECT count(*) FILTER (WHERE retired_at IS NULL)::int AS live, count(*)::int AS total FROM token_signing_keys",
    );
    expect(rows[0]).toEqual({ live: 1, total: 3 });
  });
});
