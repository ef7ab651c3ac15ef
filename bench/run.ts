// npm run bench: prints measured figures for this machine. Each section states its goal beside the figure.
import { cpus, totalmem } from "node:os";
import { benchProjectApi, type Rate } from "./api.js";
import { benchBulkUpdate, benchInstalledList, benchPassCreate } from "./passes.js";
import { startBenchServer } from "./server.js";

const goals: Record<string, string> = {
  "GET /v1/project/{id}": "goal ≥ 3,000/s on 2 cores",
  "POST /v1/project": "goal ≥ 1,000/s on 2 cores",
  "POST /v1/pass/{templateId}": "goal ≥ 1,000/s on 2 cores",
};

const line = (rate: Rate, goal = goals[rate.name] ?? "") =>
  `${rate.name.padEnd(24)} ${String(rate.requestsPerSecond).padStart(7)} req/s  p50 ${rate.p50Ms} ms  p99 ${rate.p99Ms} ms` +
  `  non-2xx ${rate.non2xx}  errors ${rate.errors}   (${goal})`;

async function main() {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const server = await startBenchServer();
  try {
    console.log("\n## API (autocannon, 32 connections, 10 s, server and Postgres on this machine)");
    for (const rate of await benchProjectApi(server)) console.log(line(rate));
    console.log(line(await benchPassCreate(server)));

    console.log("\n## Passes at scale");
    const bulk = await benchBulkUpdate(server, 100_000);
    console.log(`bulk update of 100,000 passes: ticket done in ${bulk.toFixed(2)} s   (goal < 10 s DB side)`);
    console.log(line(await benchInstalledList(server, 1_000_000), "goal p99 < 50 ms"));
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
