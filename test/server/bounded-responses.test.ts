// A response never needs more memory than a page: the real server process, started as `npm start` starts it (heap
// capped at 192 MB), lists 400 adaptive links of the largest size a link may have (64 KiB of payload and 1,000
// locations each: 150 MB of JSON in all) with `pageSize=1000`. It answers page after page of a few megabytes, every
// link exactly once, and stays up.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PAGE_BYTES } from "../../src/core/adaptive-links/list-page.js";
import { basic, freePort } from "../helpers/app.js";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";
import { type Collected, spawnCollecting } from "../helpers/process.js";

const root = new URL("../../", import.meta.url).pathname;
const LINKS = 400;
let database: TestDatabase;
let dataDir: string;
let run: Collected;
let base: string;
const key = { key: "bounded-bench", secret: randomBytes(32).toString("base64url") };

beforeAll(async () => {
  database = await createTestDatabase();
  dataDir = await mkdtemp(join(tmpdir(), "bounded-"));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const { DATABASE_URL: _ignored, ...env } = process.env;
  run = spawnCollecting(process.execPath, ["--max-old-space-size=192", "--import", "tsx", "src/server.ts"], {
    cwd: root,
    env: {
      ...env,
      DATABASE_URL: database.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      DATA_DIR: dataDir,
      METRICS_PORT: "off",
      RUN_WORKER: "false",
      BOOTSTRAP_API_KEY: key.key,
      BOOTSTRAP_API_SECRET: key.secret,
    },
  });
  const deadline = Date.now() + 60_000;
  while (
    !(await fetch(`${base}/health`).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`no server:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const call = async (path: string, body: unknown) => {
    const answer = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { authorization: basic(key), "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(answer.status, path).toBe(200);
    return (await answer.json()) as Record<string, unknown>;
  };
  const project = (await call("/v1/project", { name: "Big links", projectType: "coupon" })).id as number;
  const template = (
    await call(`/v1/template/${project}`, {
      name: "t",
      vendor: "Apple",
      type: "Coupon",
      fields: { Coupon: { fieldType: "primary", value: "" } },
    })
  ).templateId as number;
  // The largest links the API takes, written straight to the table.
  await database.query(
    `WITH big AS (
       SELECT jsonb_build_object('fields', jsonb_build_object('Coupon', jsonb_build_object('value', repeat('x', 65000))))
                AS payload,
              (SELECT jsonb_agg(jsonb_build_object('latitude', 37 + i / 10000.0, 'longitude', -122.4,
                 'relevantText', repeat('y', 240))) FROM generate_series(1, 1000) i) AS locations)
     INSERT INTO adaptive_links (id, account_id, project_id, ios_template_id, ios_pass_link_id, android_pass_link_id,
                                 payload, locations, created_at)
     SELECT 'big' || n, p.account_id, p.id, $2, gen_random_uuid(), gen_random_uuid(), big.payload, big.locations,
            now() - make_interval(secs => n)
       FROM projects p, big, generate_series(1, $3) n WHERE p.id = $1`,
    [project, template, LINKS],
  );
}, 180_000);

afterAll(async () => {
  if (run?.child.exitCode === null) {
    run.child.kill("SIGTERM");
    await run.exited;
  }
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

it("lists 400 maximum-sized links with pageSize=1000 a few megabytes at a time, under the production heap cap", async () => {
  const seen = new Set<string>();
  let token: string | undefined;
  let pages = 0;
  do {
    const query = `pageSize=1000${token ? `&nextPageToken=${encodeURIComponent(token)}` : ""}`;
    const answer = await fetch(`${base}/v1/links/adaptive?${query}`, { headers: { authorization: basic(key) } });
    expect(answer.status, run.output().slice(-2000)).toBe(200);
    const text = await answer.text();
    expect(text.length).toBeLessThan(PAGE_BYTES + 2 * 1024 * 1024);
    const page = JSON.parse(text) as { links: { adaptiveLinkId: string }[]; nextPageToken?: string };
    expect(page.links.length).toBeGreaterThan(0);
    for (const link of page.links) {
      expect(seen.has(link.adaptiveLinkId)).toBe(false);
      seen.add(link.adaptiveLinkId);
    }
    token = page.nextPageToken;
    pages++;
  } while (token);
  expect(seen.size).toBe(LINKS);
  expect(pages).toBeGreaterThan(10);
  expect(run.child.exitCode).toBeNull();
  expect((await fetch(`${base}/health`)).status).toBe(200);
}, 180_000);
