// npm run bench: prints measured figures for this machine. Each section states its goal beside the figure.

import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { type FakeApns, startFakeApns } from "../test/fakes/apns.js";
import { type FakeGoogle, startFakeGoogle } from "../test/fakes/google.js";
import { benchAdaptive } from "./adaptive.js";
import { benchProjectApi, type Rate } from "./api.js";
import { benchDeviceFetch, benchDevices, benchPublishPushes, benchSigning } from "./apple.js";
import { benchCallbacks } from "./callbacks.js";
import { benchCrowd, type CrowdRound } from "./crowd.js";
import { benchGoogleCallsPerChange, benchGooglePublish, benchGoogleRedirect, benchSaveLinks } from "./google.js";
import { benchMillion } from "./million.js";
import { benchBulkUpdate, benchInstalledList, benchPassCreate } from "./passes.js";
import { benchCachedPreview, benchUncachedPreviews } from "./previews.js";
import { benchSegments } from "./segments.js";
import { startBenchServer } from "./server.js";
import { benchTravel } from "./travel.js";

const goals: Record<string, string> = {
  "GET /v1/project/{id}": "goal ≥ 3,000/s on 2 cores",
  "POST /v1/project": "goal ≥ 1,000/s on 2 cores",
  "POST /v1/pass/{templateId}": "goal ≥ 1,000/s on 2 cores",
};

const line = (rate: Rate, goal = goals[rate.name] ?? "") =>
  `${rate.name.padEnd(24)} ${String(rate.requestsPerSecond).padStart(7)} req/s  p50 ${rate.p50Ms} ms  p99 ${rate.p99Ms} ms` +
  `  non-2xx ${rate.non2xx}  errors ${rate.errors}   (${goal})`;

/** `npm run bench -- segments` (or `google`, `million`, `signing`, `devices`, `crowd`, `travel`, `preview`) runs that section alone. */
const only = process.argv[2];

async function segmentsSection(server: Awaited<ReturnType<typeof startBenchServer>>) {
  console.log("\n## Segments and statistics (1,000,000 passes × 10 tags, 1,500,000 events over 90 days)");
  const result = await benchSegments(server, 1_000_000);
  console.log(`setup (SQL inserts): ${result.setupSeconds.toFixed(1)} s`);
  for (const r of result.resolutions) {
    console.log(
      `segment "${r.criteria}": ${r.passes.toLocaleString("en")} passes, resolved and counted p50 ${r.p50Ms} ms, ` +
        `p99 ${r.p99Ms} ms   (GET …?count=true, 12 runs)`,
    );
  }
  console.log(`daily-activity consumer caught up with 1.5 M events in ${result.activityCatchUpSeconds.toFixed(1)} s`);
  for (const rate of result.rates) console.log(line(rate, "goal: milliseconds"));
}

async function googleSection(server: Awaited<ReturnType<typeof startBenchServer>>, google: FakeGoogle) {
  console.log("\n## Google (fake Wallet API + OAuth on loopback)");
  console.log(line(await benchGoogleRedirect(server), "302 to the save link"));
  const publish = await benchGooglePublish(server, google, 100_000);
  console.log(
    `initial sync of 100,000 objects: ${publish.initialSeconds.toFixed(1)} s (${publish.initialCalls} API calls); ` +
      `then a class-level publish to all 100,000: ${publish.publishCalls} API call(s) [${publish.publishSummary}]   (goal 1)`,
  );
  const changes = await benchGoogleCallsPerChange(server, google);
  console.log(
    `10,000 passes (5,000 handed out) each changed twice in a row: ${changes.calls} API calls [${changes.summary}]`,
  );
}

async function devicesSection(server: Awaited<ReturnType<typeof startBenchServer>>) {
  console.log("\n## Apple devices (server with its in-process worker, fake APNs over HTTP/2 + TLS on loopback)");
  const [full, notModified] = await benchDeviceFetch(server);
  console.log(line(full!, "goal p99 < 25 ms at 500 req/s"));
  console.log(line(notModified!, "goal p99 < 5 ms at 500 req/s"));
  const devices = await benchDevices(server);
  console.log(
    `5,000 passes installed on their own devices, 8 requests at a time: registrations (installs) ${devices.installs}/s, ` +
      `first fetch (signed and stored) ${devices.uncached}/s, fetch again (stored bundle) ${devices.cached}/s`,
  );
}

async function crowdSection(server: Awaited<ReturnType<typeof startBenchServer>>) {
  const phones = 1000;
  const concurrency = 25;
  console.log(
    `\n## A crowd (${phones.toLocaleString("en")} phones registering through the PassKit web service, ${concurrency} at a time, each from its own address)`,
  );
  const { hot, spread } = await benchCrowd(server, phones, concurrency);
  const row = (name: string, r: CrowdRound) =>
    `${name.padEnd(28)} ${String(r.perSecond).padStart(6)} registrations/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  errors ${r.errors}`;
  console.log(row("one shared pass", hot));
  console.log(row("100 passes of one template", spread));
  console.log(
    `one pass at ${Math.round((100 * hot.perSecond) / spread.perSecond)}% of the spread throughput   (goal ≥ 50%, 0 errors)`,
  );
}

async function travelSection(server: Awaited<ReturnType<typeof startBenchServer>>, apns: FakeApns) {
  console.log(
    "\n## Flights (100 flights in one pass group, 300 installed boarding passes each, fake APNs on loopback)",
  );
  const result = await benchTravel(server, apns);
  console.log(
    `setup (flights and links over the API, passes and registrations in SQL): ${result.setupSeconds.toFixed(1)} s`,
  );
  console.log(
    `one flight changed → its ${result.flight.devices} passengers' devices pushed: ${result.flight.seconds.toFixed(2)} s   (goal < 5 s on 2 cores)`,
  );
  console.log(
    `the pass group changed → all ${result.group.devices.toLocaleString("en")} devices pushed: ` +
      `${result.group.seconds.toFixed(1)} s   (goal < 60 s on 2 cores)`,
  );
}

async function previewSection(server: Awaited<ReturnType<typeof startBenchServer>>) {
  console.log("\n## Pass previews (resvg; a front is 320 × 440 points)");
  for (const scale of [1, 2]) {
    const uncached = benchUncachedPreviews(scale);
    console.log(
      `uncached PNG previews/s at ${scale}× (one core, each pass different): ${uncached.perSecond}   (goal ≥ 100/s per core)`,
    );
  }
  console.log(line(await benchCachedPreview(server), "cached; goal ≥ 2,000 req/s"));
}

async function millionSection(server: Awaited<ReturnType<typeof startBenchServer>>, apns: FakeApns) {
  console.log("\n## A million installed Apple passes (one server process with its in-process worker, one Postgres)");
  const result = await benchMillion(server, apns);
  console.log(
    `setup (SQL inserts of 1,000,000 passes and registrations, VACUUM ANALYZE): ${result.setupSeconds.toFixed(1)} s`,
  );
  console.log(
    `on disk: ${result.bytesPerPass.toLocaleString("en")} bytes per installed pass (a pass row and its device registration, averaged over the tables, with indexes)`,
  );
  console.log(
    `template change published → all ${result.pushes.toLocaleString("en")} devices pushed: ${result.seconds.toFixed(1)} s, ` +
      `${Math.round(result.pushes / result.seconds).toLocaleString("en")} pushes/s   (goal < 180 s on 2 cores)`,
  );
  for (const [process, mb] of result.rssPeaks)
    console.log(`RSS peak ${String(mb).padStart(4)} MB  ${process}   (goal < 300 MB)`);
}

async function main() {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  console.log("\n## Signing (one core, this process)");
  const signing = benchSigning();
  console.log(
    `signed .pkpass/s: ours ${signing.ours}, passkit-generator ${signing.passkitGenerator}, ratio ` +
      `${(signing.ours / signing.passkitGenerator).toFixed(1)}×   (goal ≥ 3,500/s per core and ≥ 40×)`,
  );
  console.log(
    `bare RSA-2048 signatures/s with the same key: ${signing.rsaCeiling} (signed bundles run at ` +
      `${Math.round((100 * signing.ours) / signing.rsaCeiling)}% of it)`,
  );
  if (only === "signing") return;

  const google = await startFakeGoogle();
  console.log(`save links/s (class + object + RS256 JWT, one core): ${benchSaveLinks(google)}`);

  const apns = await startFakeApns();
  const dir = mkdtempSync(join(tmpdir(), "bench-"));
  writeFileSync(join(dir, "apns-ca.pem"), apns.ca);
  writeFileSync(join(dir, "service-account.json"), JSON.stringify(google.serviceAccount));
  const server = await startBenchServer({
    APNS_HOST: apns.host,
    APNS_CA_FILE: join(dir, "apns-ca.pem"),
    GOOGLE_SERVICE_ACCOUNT: join(dir, "service-account.json"),
    GOOGLE_ISSUER_ID: google.issuerId,
    GOOGLE_WALLET_API_URL: google.url,
    GOOGLE_TOKEN_URL: google.tokenUrl,
    // The fake Google has no quota: measure the server's own pace (the pacing itself is tested).
    GOOGLE_MAX_REQUESTS_PER_SECOND: "100000",
    // The callback benchmark's receiver listens on loopback.
    OUTBOUND_ALLOWLIST: "127.0.0.1",
    // Device benchmarks send as phones from many addresses, through loopback as the proxy.
    TRUST_PROXY: "127.0.0.1",
  });
  try {
    const alone: Record<string, () => Promise<void>> = {
      segments: () => segmentsSection(server),
      million: () => millionSection(server, apns),
      devices: () => devicesSection(server),
      crowd: () => crowdSection(server),
      google: () => googleSection(server, google),
      travel: () => travelSection(server, apns),
      preview: () => previewSection(server),
    };
    const section = only === undefined ? undefined : alone[only];
    if (section) return await section();
    console.log("\n## API (autocannon, 32 connections, 10 s, server and Postgres on this machine)");
    for (const rate of await benchProjectApi(server)) console.log(line(rate));
    console.log(line(await benchPassCreate(server)));

    console.log("\n## Passes at scale");
    const bulk = await benchBulkUpdate(server, 100_000);
    console.log(`bulk update of 100,000 passes: ticket done in ${bulk.toFixed(2)} s   (goal < 10 s DB side)`);
    console.log(line(await benchInstalledList(server, 1_000_000), "goal p99 < 50 ms"));

    await devicesSection(server);
    await crowdSection(server);
    const pushes = await benchPublishPushes(server, apns, 100_000);
    console.log(`publish to 100,000 installed passes → every device pushed: ${pushes.toFixed(1)} s   (goal < 60 s)`);

    console.log("\n## Project callbacks (the server's in-process worker, a receiver on loopback)");
    const callbacks = await benchCallbacks(server, 100_000);
    console.log(
      `100,000 installs → every callback delivered: ${callbacks.seconds.toFixed(1)} s, ${callbacks.perSecond} ` +
        "deliveries/s from one Node process (one core)",
    );

    console.log("\n## Adaptive links (32 connections, 10 s)");
    const [linkIos, linkAndroid] = await benchAdaptive(server);
    console.log(line(linkIos!, "goal ≥ 1,000/s on 2 cores"));
    console.log(line(linkAndroid!, "302 to the save link"));

    await segmentsSection(server);

    await googleSection(server, google);
    await travelSection(server, apns);
    await previewSection(server);
    await millionSection(server, apns);
  } finally {
    await server.stop();
    await apns.close();
    await google.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
