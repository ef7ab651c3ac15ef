// Flights and events over real HTTP, as Airship's reference writes them: every id/{externalId} spelling, pass groups,
// the legacy form body, bad input named, and the point of it all — a flight (or a pass group) changed reaches each
// passenger's pass once: one ticket, one push per registered device (the fake APNs records them), none elsewhere.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flightExample } from "../../../src/http/travel/schemas.js";
import { type FakeApns, startFakeApns } from "../../fakes/apns.js";
import { appleTemplate } from "../../fixtures/reference.js";
import { startTestServer, type TestServer } from "../../helpers/app.js";
import { type TestPki, testPki } from "../../helpers/apple.js";
import { until } from "../../helpers/wait.js";

let server: TestServer;
let pki: TestPki;
let apns: FakeApns;
let projectId: number;
let boardingTemplateId: number;
let ticketTemplateId: number;

// The OpenAPI document's example flight (Airship's own), so the example a newcomer pastes is the one tested.
const flightFields = flightExample.fields;

beforeAll(async () => {
  pki = testPki();
  apns = await startFakeApns();
  server = await startTestServer({
    apple: pki.setup,
    worker: true,
    apns: { host: apns.host, ca: apns.ca, backoffMs: 5, timeoutMs: 2000 },
  });
  projectId = (
    await server.call("POST", "/v1/project/id/airline", { body: { name: "Airline", projectType: "boardingPass" } })
  ).json.id;
  const text = (fieldType: string, label: string) => ({ fieldType, value: "", label });
  boardingTemplateId = (
    await server.call("POST", `/v1/template/${projectId}/id/boarding`, {
      body: {
        ...appleTemplate,
        name: "Boarding pass",
        type: "Boarding Pass",
        headers: { ...appleTemplate.headers, transitType: { value: "PKTransitTypeAir" } },
        fields: {
          flightNumber: text("header", "Flight"),
          departureAirport: text("primary", "From"),
          arrivalAirport: text("primary", "To"),
          departureGate: text("secondary", "Gate"),
          boardingTime: text("auxiliary", "Boards"),
          seatNumber: text("auxiliary", "Seat"),
          passengerName: text("back", "Passenger"),
        },
      },
    })
  ).json.templateId;
  ticketTemplateId = (
    await server.call("POST", `/v1/template/${projectId}/id/ticket`, {
      body: {
        ...appleTemplate,
        name: "Ticket",
        type: "Event Ticket",
        fields: {
          eventName: text("primary", "Event"),
          venueTitle: text("secondary", "Venue"),
          seat: text("auxiliary", "Seat"),
        },
      },
    })
  ).json.templateId;
  expect(boardingTemplateId).toBeGreaterThan(0);
  expect(ticketTemplateId).toBeGreaterThan(0);
});
afterAll(async () => {
  await server.close();
  await apns.close();
});

/** The pass a link hands an iPhone, installed: registered by a device with `pushToken`. */
async function install(adaptiveLinkId: string, pushToken: string): Promise<number> {
  const pkpass = await fetch(`${server.baseUrl}/v1/pass/adaptive/${adaptiveLinkId}/ios`);
  expect(pkpass.status, await pkpass.clone().text()).toBe(200);
  const passes = await server.call("GET", `/v1/links/adaptive/${adaptiveLinkId}/passes`);
  const passId = passes.json.passes[0].id as number;
  const passJson = (await server.call("GET", `/v1/pass/${passId}/viewJSONPass`)).json;
  const registered = await fetch(
    `${server.baseUrl}/apple/v1/devices/d-${pushToken}/registrations/${passJson.passTypeIdentifier}/${passJson.serialNumber}`,
    {
      method: "POST",
      headers: { authorization: `ApplePass ${passJson.authenticationToken}`, "content-type": "application/json" },
      body: JSON.stringify({ pushToken }),
    },
  );
  expect(registered.status).toBe(201);
  return passId;
}

const pushesTo = (token: string) => apns.pushes.filter((p) => p.token === token).length;
const fieldOf = async (passId: number, name: string) =>
  (await server.call("GET", `/v1/pass/${passId}`)).json.fields?.[name]?.value;

async function ticketDone(ticketId: number) {
  const ticket = await until(
    async () => (await server.call("GET", `/v1/ticket/${ticketId}`)).json,
    (t) => t.status === "done",
  );
  expect(ticket.status).toBe("done");
  return ticket;
}

describe("flights", () => {
  it("creates, reads (in every id spelling), lists, updates and deletes a flight", async () => {
    const created = await server.call("POST", "/v1/flights/project/id/airline/id/WN815-20180730", {
      body: { fields: flightFields, passGroups: ["sfo-pdx-20180730"] },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({
      flightId: expect.any(Number),
      flightExternalId: "WN815-20180730",
      projectId,
      fields: flightFields,
      passGroups: ["sfo-pdx-20180730"],
    });
    const { flightId } = created.json;
    for (const path of [
      `/v1/flights/project/${projectId}/${flightId}`,
      `/v1/flights/project/${projectId}/id/WN815-20180730`,
      `/v1/flights/project/id/airline/${flightId}`,
      `/v1/flights/project/id/airline/id/WN815-20180730`,
    ]) {
      const got = await server.call("GET", path);
      expect(got.status, path).toBe(200);
      expect(got.json).toEqual(created.json);
    }
    const plain = await server.call("POST", `/v1/flights/project/${projectId}`, { body: { fields: flightFields } });
    expect(plain.status).toBe(200);
    expect(plain.json.flightExternalId).toBeUndefined();
    expect(plain.json.passGroups).toEqual([]);

    const list = await server.call("GET", `/v1/flights/project/${projectId}?pageSize=1&direction=ASC`);
    expect(list.status).toBe(200);
    expect(list.json.count).toBeGreaterThanOrEqual(2);
    expect(list.json.flights).toHaveLength(1);
    expect(list.json.flights[0].flightId).toBeLessThanOrEqual(flightId);

    const updated = await server.call("PUT", `/v1/flights/project/id/airline/id/WN815-20180730`, {
      body: { fields: { flightStatus: "delayed" } },
    });
    expect(updated.status, updated.text).toBe(200);
    expect(updated.json.fields).toEqual({ ...flightFields, flightStatus: "delayed" });
    expect(updated.json.ticketId).toEqual(expect.any(Number));
    // The same values again change nothing: no ticket, no pass touched.
    const again = await server.call("PUT", `/v1/flights/project/${projectId}/${flightId}`, {
      body: { fields: { flightStatus: "delayed" } },
    });
    expect(again.json.ticketId).toBeUndefined();

    const deleted = await server.call("DELETE", `/v1/flights/project/${projectId}/id/WN815-20180730`);
    expect(deleted.json).toEqual({ flightId, status: "deleted" });
    const gone = await server.call("GET", `/v1/flights/project/${projectId}/${flightId}`);
    expect(gone.status).toBe(404);
    expect(gone.json.code).toBe("FLIGHT_NOT_FOUND");
  });

  it("answers bad input with a 400 naming the problem, and refuses what does not exist or exists already", async () => {
    const bad: Array<[unknown, string]> = [
      [{}, "fields is required"],
      [{ fields: [] }, "fields"],
      [{ fields: { gate: {} } }, "fields.gate must be"],
      [{ fields: { gate: { value: "x".repeat(2049) } } }, "fields.gate must be"],
      [{ fields: { gate: { value: "1", label: 7 } } }, "fields.gate.label"],
      [{ fields: { gate: "1" }, passGroups: "g" }, "passGroups"],
      [{ fields: { gate: "1" }, passGroups: [""] }, "passGroups"],
    ];
    for (const [body, problem] of bad) {
      const answer = await server.call("POST", `/v1/flights/project/${projectId}`, { body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(answer.json), JSON.stringify(body)).toContain(problem);
    }
    const before = (await server.call("GET", `/v1/flights/project/${projectId}`)).json.count;
    expect((await server.call("POST", "/v1/flights/project/999999", { body: { fields: { a: "1" } } })).json.code).toBe(
      "PROJECT_NOT_FOUND",
    );
    expect((await server.call("GET", `/v1/flights/project/${projectId}/999999`)).json.code).toBe("FLIGHT_NOT_FOUND");
    const first = await server.call("POST", `/v1/flights/project/${projectId}/id/twice`, {
      body: { fields: { a: "1" } },
    });
    expect(first.status).toBe(200);
    const second = await server.call("POST", `/v1/flights/project/${projectId}/id/twice`, {
      body: { fields: { a: "2" } },
    });
    expect(second.status).toBe(409);
    expect(second.json.code).toBe("FLIGHT_EXISTS");
    expect((await server.call("GET", `/v1/flights/project/${projectId}`)).json.count).toBe(before + 1);
    const empty = await server.call("PUT", `/v1/flights/project/${projectId}/id/twice`, { body: {} });
    expect(empty.status).toBe(400);
    // Another account's project and flights are not found, whatever the ids.
    const other = await server.newAccount("other");
    const foreign = await server.call("GET", `/v1/flights/project/${projectId}/id/twice`, { as: other });
    expect(foreign.status).toBe(404);
  });

  it("accepts the legacy form body (json=…&api_key=…)", async () => {
    const form = new URLSearchParams();
    form.set("json", JSON.stringify({ fields: flightFields }).replaceAll("/", "\\/"));
    form.set("api_key", `${server.credentials.key}:${server.credentials.secret}`);
    const response = await fetch(`${server.baseUrl}/v1/flights/project/id/airline/id/legacy-flight`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=ISO-8859-1", "api-revision": "1.2" },
      body: form.toString(),
    });
    const json = await response.json();
    expect(response.status, JSON.stringify(json)).toBe(200);
    expect(json).toMatchObject({ flightExternalId: "legacy-flight", fields: flightFields });
  });

  it("adds a flight to pass groups and takes it out again, in the reference's shapes", async () => {
    const { flightId } = (
      await server.call("POST", `/v1/flights/project/${projectId}/id/groups-flight`, { body: { fields: flightFields } })
    ).json;
    const added = await server.call("POST", `/v1/flights/project/id/airline/id/groups-flight/passGroups`, {
      body: { passGroups: ["sfo-pdx-20180730", "pdx-yvr-20180730"] },
    });
    expect(added.status, added.text).toBe(200);
    expect(added.json).toEqual({ flightId, passGroups: ["sfo-pdx-20180730", "pdx-yvr-20180730"] });
    // Naming a group it is in already is ignored.
    const twice = await server.call("POST", `/v1/flights/project/${projectId}/${flightId}/passGroups`, {
      body: { passGroups: ["sfo-pdx-20180730"] },
    });
    expect(twice.status).toBe(200);
    expect((await server.call("GET", `/v1/flights/project/${projectId}/${flightId}`)).json.passGroups).toEqual([
      "pdx-yvr-20180730",
      "sfo-pdx-20180730",
    ]);
    const one = await server.call("DELETE", `/v1/flights/project/${projectId}/${flightId}/passGroups/pdx-yvr-20180730`);
    expect(one.json).toEqual({ flightId, removed: ["pdx-yvr-20180730"], passGroups: ["sfo-pdx-20180730"] });
    const all = await server.call("DELETE", `/v1/flights/project/${projectId}/${flightId}/passGroups`);
    expect(all.json).toEqual({ flightId, removed: ["sfo-pdx-20180730"], passGroups: [] });
    const bad = await server.call("POST", `/v1/flights/project/${projectId}/${flightId}/passGroups`, {
      body: { passGroups: [] },
    });
    expect(bad.status).toBe(400);
    const missing = await server.call("PUT", `/v1/flights/project/${projectId}/passGroups/no-such-group`, {
      body: { fields: { departureGate: { value: "9" } } },
    });
    expect(missing.status).toBe(404);
    expect(missing.json.code).toBe("PASS_GROUP_NOT_FOUND");
  });

  it("changes every passenger's pass once when the flight changes, and every flight's when its pass group does", async () => {
    const f1 = (
      await server.call("POST", "/v1/flights/project/id/airline/id/WN100", {
        body: { fields: { ...flightFields, flightNumber: "100" }, passGroups: ["morning"] },
      })
    ).json.flightId;
    const f2 = (
      await server.call("POST", "/v1/flights/project/id/airline/id/WN200", {
        body: { fields: { ...flightFields, flightNumber: "200" }, passGroups: ["morning"] },
      })
    ).json.flightId;
    const f3 = (
      await server.call("POST", "/v1/flights/project/id/airline/id/WN300", {
        body: { fields: { ...flightFields, flightNumber: "300" } },
      })
    ).json.flightId;
    const passengers = (prefix: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        adaptiveLinkExternalId: `${prefix}-${i}`,
        fields: { seatNumber: { value: `${i + 1}A` }, passengerName: { value: `PAX/${prefix}${i}` } },
      }));
    const links = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
      body: {
        iosTemplateId: boardingTemplateId,
        payload: {
          flights: [
            { flightId: f1, passengers: passengers("a", 3) },
            { flightExternalId: "WN200", passengers: passengers("b", 2) },
            { flightId: f3, passengers: passengers("c", 1) },
          ],
        },
      },
    });
    expect(links.status, links.text).toBe(200);
    const ids = links.json.links.map((l: { adaptiveLinkId: string }) => l.adaptiveLinkId) as string[];
    const passIds: number[] = [];
    for (const [i, id] of ids.entries()) passIds.push(await install(id, `tok${i}`));
    expect(await fieldOf(passIds[0]!, "departureGate")).toBe("25");
    expect(await fieldOf(passIds[0]!, "seatNumber")).toBe("1A");

    // One flight changes: its three passengers' devices are pushed once each, nobody else.
    const changed = await server.call("PUT", `/v1/flights/project/${projectId}/${f1}`, {
      body: { fields: { departureGate: { label: "Gate #", value: "31" } } },
    });
    expect(changed.status, changed.text).toBe(200);
    const ticket = await ticketDone(changed.json.ticketId);
    expect(ticket.progress).toEqual({ done: 3, total: 3 });
    await until(
      () => [0, 1, 2].map((i) => pushesTo(`tok${i}`)),
      (counts) => counts.every((n) => n >= 1),
    );
    for (const i of [0, 1, 2]) expect(await fieldOf(passIds[i]!, "departureGate")).toBe("31");
    for (const i of [3, 4, 5]) expect(await fieldOf(passIds[i]!, "departureGate")).toBe("25");
    // The passengers' own values stay theirs.
    expect(await fieldOf(passIds[1]!, "seatNumber")).toBe("2A");

    // The pass group changes: both its flights, their five passengers, one ticket; the third flight untouched.
    const group = await server.call("PUT", "/v1/flights/project/id/airline/passGroups/morning", {
      body: { fields: { boardingTime: { value: "2018-07-30T09:15:00" } } },
    });
    expect(group.status, group.text).toBe(200);
    expect(group.json.flights.map((f: { flightId: number }) => f.flightId)).toEqual([f1, f2]);
    expect(group.json.flights[0].fields.boardingTime).toEqual({ value: "2018-07-30T09:15:00" });
    expect((await ticketDone(group.json.ticketId)).progress).toEqual({ done: 5, total: 5 });
    await until(
      () => [0, 1, 2, 3, 4].map((i) => pushesTo(`tok${i}`)),
      (counts) => counts.slice(0, 3).every((n) => n >= 2) && counts.slice(3).every((n) => n >= 1),
    );
    for (const i of [0, 1, 2, 3, 4]) expect(await fieldOf(passIds[i]!, "boardingTime")).toBe("2018-07-30T09:15:00");
    expect(await fieldOf(passIds[5]!, "boardingTime")).toBe("2018-07-30T08:35:00");
    // Settled: each device was pushed once per change, the untouched passenger never.
    await new Promise((r) => setTimeout(r, 1500));
    expect([0, 1, 2, 3, 4, 5].map((i) => pushesTo(`tok${i}`))).toEqual([2, 2, 2, 1, 1, 0]);
  });

  it("holds many concurrent changes of one flight and of one pass group, without a 5xx or a lost field", async () => {
    const { flightId } = (
      await server.call("POST", `/v1/flights/project/${projectId}/id/crowded`, { body: { fields: { base: "0" } } })
    ).json;
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        server.call("PUT", `/v1/flights/project/${projectId}/${flightId}`, { body: { fields: { [`f${i}`]: `${i}` } } }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    const fields = (await server.call("GET", `/v1/flights/project/${projectId}/${flightId}`)).json.fields;
    expect(Object.keys(fields)).toHaveLength(21);
    const joins = await Promise.all(
      Array.from({ length: 20 }, () =>
        server.call("POST", `/v1/flights/project/${projectId}/${flightId}/passGroups`, {
          body: { passGroups: ["busy"] },
        }),
      ),
    );
    expect(joins.map((a) => a.status)).toEqual(Array(20).fill(200));
    const groupChanges = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        server.call("PUT", `/v1/flights/project/${projectId}/passGroups/busy`, { body: { fields: { base: `${i}` } } }),
      ),
    );
    // A group change is heavy work (its audience grows with the group): past the account's limit it is a 429 with
    // Retry-After, never a 5xx.
    expect(groupChanges.every((a) => a.status === 200 || a.status === 429)).toBe(true);
    expect(groupChanges.some((a) => a.status === 200)).toBe(true);
  });
});

describe("events", () => {
  it("needs eventName, and an event change reaches every attendee's pass", async () => {
    const missing = await server.call("POST", `/v1/events/project/${projectId}`, {
      body: { fields: { venueTitle: "Oracle Park" } },
    });
    expect(missing.status).toBe(400);
    expect(JSON.stringify(missing.json)).toContain("fields.eventName is required");
    const created = await server.call("POST", "/v1/events/project/id/airline/id/giants-0407", {
      body: {
        fields: { eventName: { label: "Event", value: "Giants vs. Dodgers" }, venueTitle: "AT&T Park" },
        passGroups: ["giants_2020-04-07"],
      },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({ eventId: expect.any(Number), eventExternalId: "giants-0407" });
    const again = await server.call("POST", "/v1/events/project/id/airline/id/giants-0407", {
      body: { fields: { eventName: "x" } },
    });
    expect(again.json.code).toBe("EVENT_EXISTS");
    const links = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
      body: {
        iosTemplateId: ticketTemplateId,
        payload: {
          events: [
            {
              eventExternalId: "giants-0407",
              attendees: [
                { adaptiveLinkExternalId: "sam", fields: { seat: { value: "11" } } },
                { adaptiveLinkExternalId: "mary", fields: { seat: { value: "12" } } },
              ],
            },
          ],
        },
      },
    });
    expect(links.status, links.text).toBe(200);
    const passIds = [
      await install(links.json.links[0].adaptiveLinkId, "evt0"),
      await install(links.json.links[1].adaptiveLinkId, "evt1"),
    ];
    expect(await fieldOf(passIds[0]!, "venueTitle")).toBe("AT&T Park");
    const group = await server.call("PUT", `/v1/events/project/${projectId}/passGroups/giants_2020-04-07`, {
      body: { fields: { venueTitle: { value: "Oracle Park" } } },
    });
    expect(group.status, group.text).toBe(200);
    expect(group.json.events).toHaveLength(1);
    await ticketDone(group.json.ticketId);
    for (const passId of passIds) expect(await fieldOf(passId, "venueTitle")).toBe("Oracle Park");
    await until(
      () => [pushesTo("evt0"), pushesTo("evt1")],
      (c) => c.every((n) => n >= 1),
    );
    expect([pushesTo("evt0"), pushesTo("evt1")]).toEqual([1, 1]);
    // Events are not flights: the flight routes do not find them.
    const asFlight = await server.call("GET", `/v1/flights/project/${projectId}/${created.json.eventId}`);
    expect(asFlight.json.code).toBe("FLIGHT_NOT_FOUND");
  });
});

describe("scopes", () => {
  it("needs wfli for flights and wevt for events", async () => {
    const flightsOnly = await server.app.apiKeys.create("flights", server.credentials.accountId, { scopes: ["wfli"] });
    const as = { ...flightsOnly, accountId: server.credentials.accountId };
    expect((await server.call("GET", `/v1/flights/project/${projectId}`, { as })).status).toBe(200);
    const refused = await server.call("GET", `/v1/events/project/${projectId}`, { as });
    expect(refused.status).toBe(403);
    expect(refused.json.details.scope).toBe("wevt");
  });
});
