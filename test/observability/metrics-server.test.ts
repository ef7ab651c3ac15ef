// A process's metrics listener over real HTTP on loopback: /metrics in Prometheus' text format, /health (for worker
// processes) answering 200 or 503 as its check says, and nothing else.
import type { Server } from "node:http";
import { Counter, Registry } from "prom-client";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startMetricsServer } from "../../src/observability/metrics-server.js";
import { freePort } from "../helpers/app.js";

let server: Server;
let base: string;
let healthy: boolean | "throws" = true;

beforeAll(async () => {
  const registry = new Registry();
  new Counter({ name: "wallet_test_things_total", help: "Things counted by the test", registers: [registry] }).inc(3);
  const port = await freePort();
  server = await startMetricsServer(registry, port, "127.0.0.1", async () => {
    if (healthy === "throws") throw new Error("database down");
    return healthy;
  });
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

it("serves the registry's metrics and the health check, and nothing else", async () => {
  const metrics = await fetch(`${base}/metrics`);
  expect(metrics.status).toBe(200);
  expect(await metrics.text()).toContain("wallet_test_things_total 3");
  const ok = await fetch(`${base}/health`);
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ status: "ok", database: "ok" });
  healthy = false;
  expect((await fetch(`${base}/health`)).status).toBe(503);
  healthy = "throws";
  const down = await fetch(`${base}/health`);
  expect(down.status).toBe(503);
  expect(await down.json()).toEqual({ status: "unavailable", database: "unreachable" });
  expect((await fetch(`${base}/other`)).status).toBe(404);
  expect((await fetch(`${base}/metrics`, { method: "POST" })).status).toBe(404);
});
