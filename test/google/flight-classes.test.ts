// Flights on Google Wallet over real HTTP, against a fake Wallet API that records every call: each flight is one
// flightClass (per template) holding the flight's values, each passenger one flightObject of that class holding only
// the passenger's own. A flight change is then one class PATCH (and its notifying message), never a PATCH per
// passenger; another flight's class is not touched. Every body validates against Google's discovery document.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type FakeGoogle, type RecordedCall, startFakeGoogle } from "../fakes/google.js";
import { googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { discoveryProblems, schemaOfResource } from "../helpers/discovery.js";
import { jobsSettled, until } from "../helpers/wait.js";

let google: FakeGoogle;
let server: TestServer;
let projectId: number;
let templateId: number;

const ANDROID =
  "Mozilla/5.0 (Linux; Android 15; Pixel 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

beforeAll(async () => {
  google = await startFakeGoogle();
  server = await startTestServer({
    worker: true,
    google: { defaultIssuer: { issuerId: google.issuerId, serviceAccount: google.serviceAccount }, apiUrl: google.url },
  });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Oceanic", projectType: "boardingPass" } }))
    .json.id;
  const empty = (label: string, row: number, col: number, extra: Record<string, unknown> = {}) => ({
    label,
    value: "",
    row,
    col,
    ...extra,
  });
  // The template names the flight's fields without values: each flight fills them.
  const created = await server.call("POST", `/v1/template/${projectId}`, {
    body: {
      ...googleTemplate,
      name: "Boarding pass",
      type: "Boarding Pass",
      infoModuleData: {
        airlineCode: empty("Airline", 0, 0),
        flightNumber: empty("Flight", 0, 1),
        departureAirport: empty("From", 1, 0),
        arrivalAirport: empty("To", 1, 1),
        departureTime: empty("Departs", 2, 0),
        departureGate: empty("Gate", 2, 1, { changeMessage: "Your gate is now %@" }),
        passengerName: empty("Passenger", 3, 0, { notShared: true }),
        seatNumber: empty("Seat", 3, 1, { notShared: true }),
      },
    },
  });
  expect(created.status, created.text).toBe(200);
  templateId = created.json.templateId;
});
afterAll(async () => {
  await server.close();
  await google.close();
});

const settled = () => jobsSettled(server.database);

const flight = (number: string, gate: string) => ({
  fields: {
    airlineCode: "UA",
    flightNumber: number,
    departureAirport: "SFO",
    arrivalAirport: "JFK",
    departureTime: "2030-03-05T06:00:00",
    departureGate: { label: "Gate", value: gate },
  },
});

const validates = (call: RecordedCall) =>
  expect(
    discoveryProblems(schemaOfResource(call.resource!), call.body, { requireRequired: call.action === "insert" }),
  ).toEqual([]);

it("makes one class per flight holding the flight, and patches only it when the flight changes", async () => {
  const f1 = (await server.call("POST", `/v1/flights/project/${projectId}`, { body: flight("815", "25") })).json
    .flightId as number;
  const f2 = (await server.call("POST", `/v1/flights/project/${projectId}`, { body: flight("816", "40") })).json
    .flightId as number;
  const passengers = (prefix: string, n: number) =>
    Array.from({ length: n }, (_, i) => ({
      fields: { passengerName: { value: `PAX/${prefix}${i}` }, seatNumber: { value: `${i + 1}C` } },
    }));
  const links = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
    body: {
      androidTemplateId: templateId,
      payload: {
        flights: [
          { flightId: f1, passengers: passengers("a", 3) },
          { flightId: f2, passengers: passengers("b", 1) },
        ],
      },
    },
  });
  expect(links.status, links.text).toBe(200);
  // Each passenger opens the link on an Android phone: the pass is handed out and its object made at Google.
  for (const { adaptiveLinkId } of links.json.links as Array<{ adaptiveLinkId: string }>) {
    const opened = await fetch(`${server.baseUrl}/v1/pass/adaptive/${adaptiveLinkId}/android`, {
      redirect: "manual",
      headers: { "user-agent": ANDROID },
    });
    expect(opened.status).toBe(302);
  }
  const objectInserts = await until(
    () => google.calls.filter((c) => c.action === "insert" && c.resource === "flightObject"),
    (calls) => calls.length === 4,
  );
  await settled();

  // Two flight classes, one per flight, each holding its flight's values.
  const classInserts = google.calls.filter((c) => c.action === "insert" && c.resource === "flightClass");
  expect(classInserts).toHaveLength(2);
  for (const call of [...classInserts, ...objectInserts]) validates(call);
  const classOf = (number: string) =>
    classInserts.find(
      (c) => (c.body as { flightHeader: { flightNumber: string } }).flightHeader.flightNumber === number,
    )!.body as Record<string, unknown>;
  const class1 = classOf("815");
  const class2 = classOf("816");
  expect(class1).toMatchObject({
    flightHeader: { carrier: { carrierIataCode: "UA" }, flightNumber: "815" },
    origin: { airportIataCode: "SFO" },
    destination: { airportIataCode: "JFK" },
    localScheduledDepartureDateTime: "2030-03-05T06:00:00",
  });
  expect(JSON.stringify(class1)).toContain('"25"');
  expect(JSON.stringify(class2)).toContain('"40"');
  expect(class1.id).not.toBe(class2.id);

  // Each passenger's object belongs to its flight's class and holds only the passenger's own values.
  const objects = objectInserts.map((c) => c.body as Record<string, unknown>);
  expect(objects.filter((o) => o.classId === class1.id).map((o) => o.passengerName)).toEqual(
    expect.arrayContaining(["PAX/a0", "PAX/a1", "PAX/a2"]),
  );
  expect(objects.filter((o) => o.classId === class2.id).map((o) => o.passengerName)).toEqual(["PAX/b0"]);
  for (const object of objects) {
    expect(JSON.stringify(object)).not.toContain("Gate");
    expect(JSON.stringify(object)).toMatch(/"[1-3]C"/);
  }

  // The gate changes: every passenger's pass takes it (one ticket), and Google gets one class PATCH with a
  // notifying message, no object call, nothing for the other flight.
  const before = google.walletCalls().length;
  const changed = await server.call("PUT", `/v1/flights/project/${projectId}/${f1}`, {
    body: { fields: { departureGate: { label: "Gate", value: "31" } } },
  });
  expect(changed.status, changed.text).toBe(200);
  await until(
    async () => (await server.call("GET", `/v1/ticket/${changed.json.ticketId}`)).json.status,
    (status) => status === "done",
  );
  await until(
    () => google.walletCalls().slice(before),
    (calls) => calls.some((c) => c.action === "patch"),
  );
  await settled();
  const after = google.walletCalls().slice(before);
  const patches = after.filter((c) => c.action === "patch");
  expect(patches.map((c) => [c.resource, c.id])).toEqual([["flightClass", class1.id]]);
  validates(patches[0]!);
  expect(JSON.stringify(patches[0]!.body)).toContain('"31"');
  expect(after.filter((c) => c.action === "addMessage").map((c) => [c.resource, c.id])).toEqual([
    ["flightClass", class1.id],
  ]);
  expect(JSON.stringify(after.find((c) => c.action === "addMessage")!.body)).toContain("Your gate is now 31");
  expect(after.filter((c) => c.resource === "flightObject" || c.id === class2.id)).toEqual([]);
  // The passes themselves hold the new gate (the Apple side and GET read it there).
  const passes = await server.call("GET", `/v1/links/adaptive/${links.json.links[0].adaptiveLinkId}/passes`);
  const passId = passes.json.passes[0].id as number;
  expect((await server.call("GET", `/v1/pass/${passId}`)).json.fields.departureGate.value).toBe("31");
});

it("makes one event ticket class per event, its attendees' objects of it, and patches only it when the event changes", async () => {
  const project = (await server.call("POST", "/v1/project", { body: { name: "Arena", projectType: "eventTicket" } }))
    .json.id;
  const template = await server.call("POST", `/v1/template/${project}`, {
    body: {
      ...googleTemplate,
      name: "Ticket",
      type: "Event Ticket",
      projectType: "eventTicket",
      titleModule: {
        ...googleTemplate.titleModule,
        "Program Name": undefined,
        eventName: { label: "Event", value: "" },
      },
      infoModuleData: {
        venueTitle: { label: "Venue", value: "", row: 0, col: 0 },
        doorsOpen: { label: "Doors", value: "", row: 0, col: 1, changeMessage: "Doors now open at %@" },
        seat: { label: "Seat", value: "", row: 1, col: 0, notShared: true },
      },
    },
  });
  expect(template.status, template.text).toBe(200);
  const event = (name: string) => ({ fields: { eventName: name, venueTitle: "Arena One", doorsOpen: "19:00" } });
  const e1 = (await server.call("POST", `/v1/events/project/${project}`, { body: event("Cup final") })).json.eventId;
  const e2 = (await server.call("POST", `/v1/events/project/${project}`, { body: event("Semi final") })).json.eventId;
  const attendees = (n: number) => Array.from({ length: n }, (_, i) => ({ fields: { seat: { value: `${i + 10}` } } }));
  const links = await server.call("POST", `/v1/links/adaptive/multiple/project/${project}`, {
    body: {
      androidTemplateId: template.json.templateId,
      payload: {
        events: [
          { eventId: e1, attendees: attendees(2) },
          { eventId: e2, attendees: attendees(1) },
        ],
      },
    },
  });
  expect(links.status, links.text).toBe(200);
  const start = google.calls.length;
  for (const { adaptiveLinkId } of links.json.links as Array<{ adaptiveLinkId: string }>) {
    const opened = await fetch(`${server.baseUrl}/v1/pass/adaptive/${adaptiveLinkId}/android`, {
      redirect: "manual",
      headers: { "user-agent": ANDROID },
    });
    expect(opened.status).toBe(302);
  }
  const objects = await until(
    () => google.calls.slice(start).filter((c) => c.action === "insert" && c.resource === "eventTicketObject"),
    (calls) => calls.length === 3,
  );
  await settled();
  const classes = google.calls.slice(start).filter((c) => c.action === "insert" && c.resource === "eventTicketClass");
  for (const call of [...classes, ...objects]) validates(call);
  const classOf = (name: string) =>
    classes.find((c) => JSON.stringify((c.body as { eventName: unknown }).eventName).includes(name))!.body as {
      id: string;
    };
  const cup = classOf("Cup final");
  const semi = classOf("Semi final");
  expect(objects.filter((o) => (o.body as { classId: string }).classId === cup.id)).toHaveLength(2);
  expect(objects.filter((o) => (o.body as { classId: string }).classId === semi.id)).toHaveLength(1);
  for (const object of objects) expect(JSON.stringify(object.body)).not.toContain("19:00");

  const before = google.walletCalls().length;
  const changed = await server.call("PUT", `/v1/events/project/${project}/${e1}`, {
    body: { fields: { doorsOpen: "18:30" } },
  });
  expect(changed.status, changed.text).toBe(200);
  await until(
    () => google.walletCalls().slice(before),
    (calls) => calls.some((c) => c.action === "patch"),
  );
  await settled();
  const after = google.walletCalls().slice(before);
  expect(after.filter((c) => c.action === "patch").map((c) => [c.resource, c.id])).toEqual([
    ["eventTicketClass", cup.id],
  ]);
  expect(after.filter((c) => c.action === "addMessage").map((c) => c.id)).toEqual([cup.id]);
  expect(after.filter((c) => c.resource === "eventTicketObject" || c.id === semi.id)).toEqual([]);
});
