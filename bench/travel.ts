// Flights changed → every passenger's device pushed (fake APNs on loopback, counting only). 100 flights in one pass
// group, each with 300 installed boarding passes made from its adaptive link: one flight changed (300 devices),
// then the whole pass group (30,000 devices). Seconds from the request to the last push.
import pg from "pg";
import type { FakeApns } from "../test/fakes/apns.js";
import { appleTemplate } from "../test/fixtures/reference.js";
import { apiCall } from "./api.js";
import { registerDevices } from "./apple.js";
import type { BenchServer } from "./server.js";

export interface TravelResult {
  setupSeconds: number;
  flight: { devices: number; seconds: number };
  group: { devices: number; seconds: number };
}

async function pushedWithin(apns: FakeApns, expected: number, start: number, what: string): Promise<number> {
  const deadline = start + 300_000;
  while (apns.received < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (apns.received < expected) throw new Error(`${what}: only ${apns.received} of ${expected} devices pushed`);
  return (Date.now() - start) / 1000;
}

export async function benchTravel(
  server: BenchServer,
  apns: FakeApns,
  flights = 100,
  passengers = 300,
): Promise<TravelResult> {
  const setupStart = Date.now();
  const project = await apiCall(server, "POST", "/v1/project", { name: "Bench airline", projectType: "boardingPass" });
  const { templateId } = await apiCall(server, "POST", `/v1/template/${project.id}`, {
    ...appleTemplate,
    type: "Boarding Pass",
    fields: { departureGate: { fieldType: "secondary", value: "", label: "Gate" } },
  });
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  const flightIds: number[] = [];
  for (let i = 0; i < flights; i++) {
    const flight = await apiCall(server, "POST", `/v1/flights/project/${project.id}`, {
      fields: { flightNumber: String(100 + i), departureGate: { label: "Gate", value: "A1" } },
      passGroups: ["bench-morning"],
    });
    flightIds.push(flight.flightId);
    // One personalized link per flight; its passengers' passes are inserted in SQL (as the link would make them).
    const { links } = await apiCall(server, "POST", `/v1/links/adaptive/multiple/project/${project.id}`, {
      iosTemplateId: templateId,
      isPersonalized: true,
      payload: { flights: [{ flightId: flight.flightId, passengers: [{ fields: {} }] }] },
    });
    await client.query(
      `INSERT INTO passes (account_id, template_id, serial_number, status, platform, installed_at, adaptive_link_id)
       SELECT t.account_id, t.id, gen_random_uuid()::text, 'installed', 'ios', now(), $3
         FROM templates t, generate_series(1, $2) WHERE t.id = $1`,
      [templateId, passengers, links[0].adaptiveLinkId],
    );
  }
  await registerDevices(server, client, templateId);
  await client.query("VACUUM ANALYZE passes");
  await client.query("VACUUM ANALYZE apple_registrations");
  await client.end();
  const setupSeconds = (Date.now() - setupStart) / 1000;

  apns.record = false;
  apns.received = 0;
  let start = Date.now();
  await apiCall(server, "PUT", `/v1/flights/project/${project.id}/${flightIds[0]}`, {
    fields: { departureGate: { label: "Gate", value: "B7" } },
  });
  const flightSeconds = await pushedWithin(apns, passengers, start, "one flight");

  apns.received = 0;
  start = Date.now();
  await apiCall(server, "PUT", `/v1/flights/project/${project.id}/passGroups/bench-morning`, {
    fields: { departureGate: { label: "Gate", value: "C3" } },
  });
  const groupSeconds = await pushedWithin(apns, flights * passengers, start, "the pass group");
  apns.record = true;
  return {
    setupSeconds,
    flight: { devices: passengers, seconds: flightSeconds },
    group: { devices: flights * passengers, seconds: groupSeconds },
  };
}
