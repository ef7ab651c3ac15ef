// Prometheus metrics: request counts and latency by route, the database pool, and what an operator watches —
// passes and installs, the job queue's depth and oldest job, outbound deliveries waiting and dead. Served on their
// own listener (METRICS_PORT, 127.0.0.1 by default) and, only with METRICS_TOKEN, at GET /metrics on the public
// port: the figures say how big and how busy the installation is, which is nobody else's business.

import { timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { processCounters } from "../observability/counters.js";
import { type FigureName, FiguresStore } from "../observability/figures-store.js";

/** Installs the request metrics; answers the registry the metrics listener serves. */
export function installMetrics(app: FastifyInstance, pool: pg.Pool, token?: string): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const labelNames = ["method", "route", "status"] as const;
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route pattern and status",
    labelNames,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by method, route pattern and status",
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const poolGauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  poolGauge("db_pool_connections_total", "Open database connections", () => pool.totalCount);
  poolGauge("db_pool_connections_idle", "Idle database connections", () => pool.idleCount);
  poolGauge("db_pool_requests_waiting", "Queries waiting for a database connection", () => pool.waitingCount);

  app.addHook("onResponse", async (request, reply) => {
    // The route pattern, never the raw URL: ids would explode label cardinality.
    const route = request.routeOptions.url ?? "unmatched";
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    requests.inc(labels);
    latency.observe(labels, reply.elapsedTime / 1000);
  });

  // Counted in the database at scrape time (observability/figures-store.ts), so every process reports the same.
  const figures = new FiguresStore(pool);
  const dbGauge = (name: string, help: string, figure: FigureName, labelNames: string[] = []) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const rows = await figures.read(figure).catch(() => []);
        this.reset();
        for (const row of rows) {
          if (labelNames.length) this.set({ [labelNames[0]!]: row.label }, row.value);
          else this.set(row.value);
        }
      },
    });
  dbGauge("wallet_passes", "Passes by install status", "passesByStatus", ["status"]);
  dbGauge("wallet_jobs_queued", "Jobs waiting or running, by task", "jobsByTask", ["task"]);
  dbGauge("wallet_oldest_job_age_seconds", "Age of the oldest job that is due", "oldestDueJobAgeSeconds");
  dbGauge(
    "wallet_deliveries",
    "Outbound callback and webhook deliveries waiting or dead-lettered",
    "deliveriesByState",
    ["state"],
  );

  // The process's own counters (APNs pushes, Google calls) beside the app's figures.
  const merged = Registry.merge([registry, processCounters]);
  app.get("/metrics", { schema: { hide: true } }, async (request, reply) => {
    const given = Buffer.from(request.headers.authorization ?? "");
    const expected = Buffer.from(`Bearer ${token ?? ""}`);
    if (!token || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      // Without a token there is nothing here; with one, a wrong one is refused.
      return reply
        .code(token ? 401 : 404)
        .send(
          token
            ? { error: "Metrics need METRICS_TOKEN", code: "UNAUTHORIZED" }
            : { error: "Route GET:/metrics not found", code: "ROUTE_NOT_FOUND" },
        );
    }
    reply.header("content-type", merged.contentType);
    return merged.metrics();
  });
  return merged;
}
