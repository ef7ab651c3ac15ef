// Authenticated API throughput: GET /v1/project/{id}, POST /v1/project and GET /v1/pass/{id}, with autocannon over
// loopback.
import { spawn } from "node:child_process";
import { join } from "node:path";
import autocannon from "autocannon";
import type { BenchServer } from "./server.js";

export interface Rate {
  name: string;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

async function load(name: string, options: autocannon.Options): Promise<Rate> {
  return rateOf(name, await autocannon({ connections: 32, duration: 10, pipelining: 1, ...options }));
}

/** An authenticated API call to the bench server; the JSON answer (or {} when there is none). */
export async function apiCall(server: BenchServer, method: string, path: string, body?: unknown) {
  const res = await fetch(`${server.baseUrl}${path}`, {
    method,
    redirect: "manual",
    headers: { authorization: server.auth, "api-revision": "1.2", "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: benchmark set-up reads responses loosely.
  return (await res.json().catch(() => ({}))) as Record<string, any>;
}

export async function benchProjectApi(server: BenchServer): Promise<Rate[]> {
  const headers = { authorization: server.auth, "api-revision": "1.2", "content-type": "application/json" };
  const created = await fetch(`${server.baseUrl}/v1/project`, {
    method: "POST",
    headers,
    body: JSON.stringify({ name: "Bench", projectType: "loyalty", settings: { barcode_type: "qr" } }),
  });
  const { id } = (await created.json()) as { id: number };
  // Warm up (JIT, pool connections, auth cache).
  await load("warm-up", { url: `${server.baseUrl}/v1/project/${id}`, headers, duration: 2 });
  const read = await load("GET /v1/project/{id}", { url: `${server.baseUrl}/v1/project/${id}`, headers });
  const create = await load("POST /v1/project", {
    url: `${server.baseUrl}/v1/project`,
    method: "POST",
    headers,
    body: JSON.stringify({ name: "Bench create", projectType: "coupon", description: "load", settings: { a: "b" } }),
  });
  const template = (await (
    await fetch(`${server.baseUrl}/v1/template/${id}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "Bench", headers: {}, fields: { points: { fieldType: "primary", value: "1" } } }),
    })
  ).json()) as { templateId: number };
  const pass = (await (
    await fetch(`${server.baseUrl}/v1/pass/${template.templateId}`, { method: "POST", headers, body: "{}" })
  ).json()) as { id: number };
  const passRead = await load("GET /v1/pass/{id}", { url: `${server.baseUrl}/v1/pass/${pass.id}`, headers });
  return [read, create, passRead];
}

const root = new URL("../", import.meta.url).pathname;

/**
 * Runs autocannon in its own process (so the load generator does not share this process's event loop, where the
 * fake APNs and Google servers live) and returns its JSON result.
 */
export function autocannonProcess(args: string[]): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(root, "node_modules/.bin/autocannon"), ["-j", ...args], {
      stdio: ["ignore", "pipe", "ignore"],
    });
    let out = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      out += chunk;
    });
    child.on("error", reject);
    child.on("close", () => {
      try {
        resolve(JSON.parse(out) as autocannon.Result);
      } catch (error) {
        reject(error);
      }
    });
  });
}

export function rateOf(name: string, result: autocannon.Result): Rate {
  return {
    name,
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
