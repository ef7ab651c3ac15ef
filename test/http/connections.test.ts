// Connection settings a load balancer depends on: idle keep-alive connections are kept longer than a balancer's
// usual 60 s idle timeout (the balancer closes them first, so it never reuses one the server is closing).
import { Agent, request } from "node:http";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

it("announces a keep-alive timeout above 60 s", async () => {
  const header = await new Promise<string | undefined>((resolve, reject) => {
    const req = request(`${server.baseUrl}/health`, { agent: new Agent({ keepAlive: true }) });
    req.on("response", (response) => {
      response.resume();
      resolve(String(response.headers["keep-alive"] ?? ""));
    });
    req.on("error", reject);
    req.end();
  });
  const seconds = Number(/timeout=(\d+)/.exec(header ?? "")?.[1]);
  expect(seconds).toBeGreaterThan(60);
});
