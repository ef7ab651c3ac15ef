// Google benchmarks: save links per second on one core (class + object mapping and RS256 signing), the Google
// redirect over HTTP, the Google API calls a 100,000-pass template publish makes (goal: one class PATCH when only
// class-level content changed), and the calls 10,000 changed passes cost (only handed-out passes have objects),
// against a fake Google on loopback.
import { createPrivateKey } from "node:crypto";
import pg from "pg";
import { designOf, mergedView, parseTemplateBody } from "../src/domain/field-model.js";
import { signJwt } from "../src/google/api-client.js";
import { buildClass, buildObject } from "../src/google/mapping.js";
import { enqueuePassDeliveries } from "../src/jobs/queue-store.js";
import type { FakeGoogle } from "../test/fakes/google.js";
import { googleTemplate } from "../test/fixtures/reference.js";
import { apiCall, autocannonProcess, type Rate, rateOf } from "./api.js";
import { insertPasses } from "./passes.js";
import type { BenchServer } from "./server.js";

/** Save-link JWTs per second on this thread: the reference loyalty template's class and object, signed. */
export function benchSaveLinks(google: FakeGoogle, seconds = 5): number {
  const design = designOf(parseTemplateBody(googleTemplate));
  const issuer = {
    key: "bench",
    issuerId: google.issuerId,
    clientEmail: google.serviceAccount.client_email,
    privateKey: createPrivateKey(google.serviceAccount.private_key),
    privateKeyId: google.serviceAccount.private_key_id,
    development: false,
  };
  const objectFields = new Set<string>();
  let serial = 0;
  const once = () => {
    const view = mergedView(design, { headers: { barcode_value: { value: `member-${serial}` } } });
    const classId = `${google.issuerId}.bench-class`;
    const klass = buildClass({
      kind: "loyalty",
      classId,
      issuerName: "Bench",
      templateName: "Bench",
      design,
      headers: design.headers,
      fields: design.fields,
      objectFields,
      logoUrl: "https://wallet.example.com/images/logo.png",
      callbackUrl: "https://wallet.example.com/google/callback",
      locations: [],
    });
    const object = buildObject({
      kind: "loyalty",
      classId,
      objectId: `${google.issuerId}.bench-${serial++}`,
      serialNumber: `bench-${serial}`,
      templateName: "Bench",
      issuerName: "Bench",
      design,
      headers: view.headers,
      fields: view.fields,
      objectFields,
      logoUrl: "https://wallet.example.com/images/logo.png",
      locations: [],
      voided: false,
      now: new Date(),
      messages: [],
    });
    signJwt(issuer, {
      iss: issuer.clientEmail,
      aud: "google",
      typ: "savetowallet",
      iat: Math.floor(Date.now() / 1000),
      origins: ["https://wallet.example.com"],
      payload: { loyaltyClasses: [klass], loyaltyObjects: [object] },
    });
  };
  for (let i = 0; i < 50; i++) once();
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    once();
    count++;
  }
  return Math.round(count / ((performance.now() - start) / 1000));
}

async function drained(client: pg.Client) {
  for (;;) {
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM graphile_worker._private_jobs");
    if (rows[0]!.n === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Marks every `every`-th pass of the template handed out (as its save link being served does). */
async function handOut(client: pg.Client, templateId: number, issuerId: string, every = 1) {
  await client.query(
    `INSERT INTO google_objects (pass_id, object_id, handed_out_at)
     SELECT id, $2 || '.' || serial_number, now() FROM passes WHERE template_id = $1 AND id % $3 = 0`,
    [templateId, issuerId, every],
  );
}

/**
 * Creates `count` Google passes, hands them all out, lets every object reach the fake Google, then publishes a
 * class-level change: returns the seconds of the initial sync and the API calls the publish made.
 */
export async function benchGooglePublish(server: BenchServer, google: FakeGoogle, count: number) {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench Google", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, googleTemplate);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await insertPasses(client, templateId, count);
  await handOut(client, templateId, google.issuerId);
  const start = Date.now();
  await enqueuePassDeliveries(client, { templateId: templateId as number });
  await drained(client);
  const initialSeconds = (Date.now() - start) / 1000;
  const before = google.calls.length;
  const { ticketId } = await apiCall(server, "PUT", `/v1/template/${templateId}/passes`, {
    fields: { "Program ID": { value: "99999999" } },
  });
  for (;;) {
    const ticket = await apiCall(server, "GET", `/v1/ticket/${ticketId}`);
    if (ticket.status === "done") break;
    await new Promise((r) => setTimeout(r, 200));
  }
  await drained(client);
  await client.end();
  const publishCalls = google.calls.slice(before);
  return {
    initialSeconds,
    initialCalls: before,
    publishCalls: publishCalls.length,
    publishSummary: [...new Set(publishCalls.map((c) => `${c.action} ${c.resource}`))].join(", "),
  };
}

/** GET /v1/pass/{id}/download of a Google pass (302 to its save link), 32 connections for 10 s. */
export async function benchGoogleRedirect(server: BenchServer): Promise<Rate> {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench redirect", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, googleTemplate);
  const pass = await apiCall(server, "POST", `/v1/pass/${templateId}`, { headers: { barcode_value: { value: "1" } } });
  const url = `${server.baseUrl}/v1/pass/${pass.id}/download`;
  const headers = ["-H", `authorization=${server.auth}`];
  await autocannonProcess(["-c", "32", "-d", "3", ...headers, url]); // warm-up (and the object's first sync)
  const result = await autocannonProcess(["-c", "32", "-d", "10", ...headers, url]);
  // Every answer is a 302: only other statuses count as failures.
  return { ...rateOf("GET /v1/pass/{id}/download (Google: 302)", result), non2xx: result.non2xx - result["3xx"] };
}

/**
 * 10,000 Google passes, half of them handed out and synced; then every pass changes its own value twice in a row
 * (two set-based updates): the Google API calls that costs.
 */
export async function benchGoogleCallsPerChange(server: BenchServer, google: FakeGoogle, count = 10_000) {
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench changes", projectType: "memberCard" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, googleTemplate);
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  await insertPasses(client, templateId, count);
  await handOut(client, templateId, google.issuerId, 2);
  await enqueuePassDeliveries(client, { templateId: templateId as number });
  await drained(client);
  const before = google.calls.length;
  for (const value of ["first", "second"]) {
    await client.query(
      `UPDATE passes SET overrides = jsonb_set(overrides, '{headers}', jsonb_build_object('barcode_value',
         jsonb_build_object('value', $2 || '-' || id))), version = version + 1, updated_at = now()
        WHERE template_id = $1`,
      [templateId, value],
    );
    await enqueuePassDeliveries(client, { templateId: templateId as number });
  }
  await drained(client);
  await client.end();
  const calls = google.calls.slice(before);
  return {
    calls: calls.length,
    summary: [...new Set(calls.map((c) => `${c.action} ${c.resource}`))].join(", "),
  };
}
