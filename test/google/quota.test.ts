// Google at its quota: a fake Wallet API that answers 429 RESOURCE_EXHAUSTED above 12 calls a second (and to the
// first calls, to make the server back off), a server paced at 10 a second with two job workers: the call rate
// stays under the configured quota, every handed-out object ends with its latest value, passes never handed out
// cost no call, and one OAuth token serves every call. The pacing itself is shared through Postgres: two pools
// (as two processes would) together keep to the rate.
import { afterAll, beforeAll, expect, it } from "vitest";
import { PostgresRateGate } from "../../src/google/rate-gate-store.js";
import type { FakeGoogle, RecordedCall } from "../fakes/google.js";
import { googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPool } from "../helpers/database.js";
import { until } from "../helpers/wait.js";
import { googleWithCallbacks, handOutGooglePass } from "../helpers/wallets.js";

const RATE = 10;
const GOOGLE_LIMIT = 12;
let google: FakeGoogle;
let server: TestServer;

beforeAll(async () => {
  const fake = await googleWithCallbacks();
  google = fake.google;
  server = await startTestServer({ worker: true, google: { ...fake.options, maxRequestsPerSecond: RATE } });
  await server.startWorker();
});
afterAll(async () => {
  await server?.close();
  await google?.close();
});

/** The most calls made within any one second. */
function peakPerSecond(calls: RecordedCall[]): number {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

it("keeps under the configured quota, backs off on 429, ends every handed-out object current, and never calls for the rest", async () => {
  let refusedAtStart = 3;
  let refused = 0;
  const answered: number[] = [];
  google.script = () => {
    const now = Date.now();
    while (answered.length && now - answered[0]! >= 1000) answered.shift();
    if (refusedAtStart > 0 || answered.length >= GOOGLE_LIMIT) {
      refusedAtStart--;
      refused++;
      return { status: 429, body: { error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "Quota exceeded" } } };
    }
    answered.push(now);
    return undefined;
  };
  const project = (await server.call("POST", "/v1/project", { body: { name: "Quota", projectType: "memberCard" } }))
    .json.id;
  const templateId = (await server.call("POST", `/v1/template/${project}`, { body: googleTemplate })).json.templateId;
  const passes: { id: number; serialNumber: string }[] = [];
  for (let i = 0; i < 30; i++) passes.push((await server.call("POST", `/v1/pass/${templateId}`, { body: {} })).json);
  const handedOut = passes.slice(0, 24);
  const kept = passes.slice(24);
  for (const pass of handedOut) await handOutGooglePass(server, pass.id);
  for (const round of [1, 2]) {
    for (const [i, pass] of passes.entries()) {
      const update = await server.call("PUT", `/v1/pass/${pass.id}`, {
        body: { headers: { barcode_value: { value: `r${round}-${i}` } } },
      });
      expect(update.status).toBe(200);
    }
  }
  const objectOf = (serial: string) => `${google.issuerId}.${serial}`;
  const current = () =>
    handedOut.every(
      (pass, i) =>
        (google.stored.get(`loyaltyObject/${objectOf(pass.serialNumber)}`) as { barcode?: { value: string } })?.barcode
          ?.value === `r2-${i}`,
    );
  expect(await until(current, (ok) => ok, 60_000)).toBe(true);
  await until(
    async () =>
      (await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM graphile_worker.jobs")).rows[0]!.n,
    (n) => n === 0,
    30_000,
  );
  google.script = () => undefined;

  const calls = google.walletCalls();
  expect(refused).toBeGreaterThanOrEqual(3); // the server met 429s, and got past them
  expect(peakPerSecond(calls)).toBeLessThanOrEqual(RATE + 1);
  for (const pass of kept) {
    expect(calls.filter((c) => (c.id ?? (c.body as { id?: string })?.id) === objectOf(pass.serialNumber))).toEqual([]);
  }
  expect(google.tokenRequests).toBe(1);
}, 120_000);

it("paces callers in separate pools (processes) together through Postgres", async () => {
  const pools = [0, 1].map(() => testPool(server.database.url, 4));
  try {
    const gates = pools.map((pool) => new PostgresRateGate(pool, 20));
    const taken: number[] = [];
    const start = Date.now();
    await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        await gates[i % 2]!.take("shared-project");
        taken.push(Date.now() - start);
      }),
    );
    // 40 calls at 20 a second: the last waits about 1.95 s, whichever pool it came through.
    expect(Math.max(...taken)).toBeGreaterThanOrEqual(1800);
    expect(peakPerSecond(taken.map((at) => ({ at }) as RecordedCall))).toBeLessThanOrEqual(21);
    // A pause (Google said 429) holds every pool back.
    await gates[0]!.pause("shared-project", 1000);
    const before = Date.now();
    await gates[1]!.take("shared-project");
    expect(Date.now() - before).toBeGreaterThanOrEqual(900);
  } finally {
    await Promise.all(pools.map((pool) => pool.end()));
  }
});
