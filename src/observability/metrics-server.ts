// The metrics listener of a process: GET /metrics on its own port, and for worker processes GET /health too. A
// plain node:http server (no Fastify): the server and the worker both start one.
import { createServer, type Server, type ServerResponse } from "node:http";
import type { Registry } from "prom-client";

/**
 * The metrics listener: GET /metrics on its own port (bound to `host`, 127.0.0.1 by default). With `health`, also
 * GET /health (200 or 503, as the server's): a worker process has no other listener for probes to ask.
 */
export async function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
  health?: () => Promise<boolean>,
): Promise<Server> {
  const server = createServer((request, response) => {
    const path = request.url?.split("?")[0];
    if (request.method === "GET" && path === "/health" && health !== undefined) {
      health().then(
        (ok) => answerHealth(response, ok),
        () => answerHealth(response, false),
      );
      return;
    }
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404).end();
      return;
    }
    registry.metrics().then(
      (text) => response.writeHead(200, { "content-type": registry.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

function answerHealth(response: ServerResponse, ok: boolean): void {
  const body = ok ? { status: "ok", database: "ok" } : { status: "unavailable", database: "unreachable" };
  response.writeHead(ok ? 200 : 503, { "content-type": "application/json; charset=utf-8" }).end(JSON.stringify(body));
}
