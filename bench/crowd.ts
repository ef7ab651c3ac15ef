// A crowd of phones installing passes through the PassKit web service: N phones registering one shared pass (every
// registration locks that pass's row in turn), against the same N phones spread over 100 passes of one template.
// Each phone has its own address (the bench server trusts loopback as its proxy), `concurrency` in flight at once.
import pg from "pg";
import { apiCall } from "./api.js";
import type { BenchServer } from "./server.js";

export interface CrowdRound {
  readonly registrations: number;
  readonly perSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Answers other than 201 (or a failed request). */
  readonly errors: number;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

interface Target {
  serial: string;
  token: string;
}

async function round(
  server: BenchServer,
  passTypeIdentifier: string,
  targets: Target[],
  phones: number,
  concurrency: number,
  tag: string,
): Promise<CrowdRound> {
  const times: number[] = [];
  let errors = 0;
  let next = 0;
  const start = performance.now();
  const lane = async () => {
    while (next < phones) {
      const i = next++;
      const pass = targets[i % targets.length]!;
      const sent = performance.now();
      try {
        const response = await fetch(
          `${server.baseUrl}/apple/v1/devices/${tag}-${i}/registrations/${passTypeIdentifier}/${pass.serial}`,
          {
            method: "POST",
            headers: {
              authorization: `ApplePass ${pass.token}`,
              "content-type": "application/json",
              "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
            },
            body: JSON.stringify({ pushToken: `${tag}${i}`.padStart(64, "0") }),
          },
        );
        await response.arrayBuffer();
        if (response.status !== 201) errors++;
      } catch {
        errors++;
      }
      times.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - start) / 1000;
  times.sort((a, b) => a - b);
  return {
    registrations: phones,
    perSecond: Math.round(phones / seconds),
    p50Ms: Math.round(percentile(times, 0.5) * 10) / 10,
    p99Ms: Math.round(percentile(times, 0.99) * 10) / 10,
    errors,
  };
}

/** One pass and 100 passes of one template, each round with `phones` phones, `concurrency` at a time. */
export async function benchCrowd(
  server: BenchServer,
  phones = 1000,
  concurrency = 25,
): Promise<{ hot: CrowdRound; spread: CrowdRound }> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench crowd", projectType: "coupon" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, {
    name: "Shared coupon",
    vendor: "Apple",
    type: "Coupon",
    fields: { Offer: { fieldType: "primary", label: "Offer", value: "20% off" } },
  });
  const first = await apiCall(server, "POST", `/v1/pass/${templateId}`, {});
  const { passTypeIdentifier } = await apiCall(server, "GET", `/v1/pass/${first.id}/viewJSONPass`);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await client.query(
    `INSERT INTO passes (account_id, template_id, serial_number)
     SELECT t.account_id, t.id, gen_random_uuid()::text FROM templates t, generate_series(1, 101) WHERE t.id = $1`,
    [templateId],
  );
  const { rows } = await client.query<{ serial_number: string; authentication_token: string }>(
    "SELECT serial_number, authentication_token FROM passes WHERE template_id = $1 ORDER BY id",
    [templateId],
  );
  await client.end();
  const targets = rows.map((r) => ({ serial: r.serial_number, token: r.authentication_token }));
  // Warm the server's connections and caches on passes outside both rounds.
  await round(server, passTypeIdentifier, targets.slice(101), 50, concurrency, "warm");
  const hot = await round(server, passTypeIdentifier, targets.slice(0, 1), phones, concurrency, "hot");
  const spread = await round(server, passTypeIdentifier, targets.slice(1, 101), phones, concurrency, "spread");
  return { hot, spread };
}
