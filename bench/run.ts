// npm run bench: prints measured figures for this machine. Each section states its goal beside the figure.
import { cpus, totalmem } from "node:os";
import { benchProjectApi } from "./api.js";
import { startBenchServer } from "./server.js";

const goals: Record<string, string> = {
  "GET /v1/project/{id}": "goal ≥ 3,000/s on 2 cores",
  "POST /v1/project": "goal ≥ 1,000/s on 2 cores",
};

async function main() {
  const cpu = cpus();
  console.log(
    `machine: ${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`,
  );
  const server = await startBenchServer();
  try {
    console.log("\n## API (autocannon, 32 connections, 10 s, server and Postgres on this machine)");
    for (const rate of await benchProjectApi(server)) {
      console.log(
        `${rate.name.padEnd(24)} ${String(rate.requestsPerSecond).padStart(7)} req/s  p50 ${rate.p50Ms} ms  p99 ${rate.p99Ms} ms` +
          `  non-2xx ${rate.non2xx}  errors ${rate.errors}   (${goals[rate.name] ?? ""})`,
      );
    }
  } finally {
    await server.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
