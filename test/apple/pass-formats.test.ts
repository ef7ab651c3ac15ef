// Apple's current pass formats over real HTTP, checked against Apple's published rules (test/helpers/pass-rules.ts,
// from Apple's pass-builder) in signed bundles openssl verifies: the semantic boarding pass (iOS 26) filled from a
// flight and its passenger as Airship writes them, with the airports' time zones; the poster event ticket (iOS 18)
// with its images, keys and NFC requirement; relevantDates, URLs and explicit semantics; each new key checked with a
// 400 naming it, and kept through GET.
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flightExample } from "../../src/http/travel/schemas.js";
import { appleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { pngFixture, type TestPki, testPki, verifyBundle } from "../helpers/apple.js";
import { passBuilderErrors } from "../helpers/pass-rules.js";
import { until } from "../helpers/wait.js";

let server: TestServer;
let pki: TestPki;
let projectId: number;
let boardingId: number;

const text = (fieldType: string, label: string) => ({ fieldType, value: "", label });

beforeAll(async () => {
  pki = testPki();
  server = await startTestServer({ apple: pki.setup });
  projectId = (
    await server.call("POST", "/v1/project/id/formats", { body: { name: "Formats", projectType: "boardingPass" } })
  ).json.id;
  boardingId = (
    await server.call("POST", `/v1/template/${projectId}`, {
      body: {
        ...appleTemplate,
        name: "Boarding",
        type: "Boarding Pass",
        headers: { ...appleTemplate.headers, transitType: { value: "PKTransitTypeAir" } },
        fields: {
          flightNumber: text("header", "Flight"),
          departureAirport: text("primary", "From"),
          arrivalAirport: text("primary", "To"),
          departureGate: text("secondary", "Gate"),
          boardingTime: text("auxiliary", "Boards"),
          departureTime: text("back", "Departs"),
          arrivalTime: text("back", "Arrives"),
          airlineCode: text("back", "Airline"),
          seatNumber: text("auxiliary", "Seat"),
          passengerName: text("back", "Passenger"),
          confirmationCode: text("back", "PNR"),
        },
      },
    })
  ).json.templateId;
});
afterAll(() => server.close());

const auth = () => `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`;

async function bundleOf(passId: number) {
  const response = await fetch(`${server.baseUrl}/v1/pass/${passId}/download`, { headers: { authorization: auth() } });
  expect(response.status).toBe(200);
  return verifyBundle(Buffer.from(await response.arrayBuffer()), pki.files.root);
}

async function viewJson(passId: number) {
  const response = await fetch(`${server.baseUrl}/v1/pass/${passId}/viewJSONPass`, {
    headers: { authorization: auth() },
  });
  return {
    json: (await response.json()) as Record<string, unknown>,
    missing: response.headers.get("wallet-layout-missing"),
  };
}

/** A boarding pass made as Airship's clients make one: a flight, and a link per passenger. */
async function boardingPass(flight: Record<string, unknown>, passenger: Record<string, unknown>): Promise<number> {
  const external = `F${Math.random().toString(36).slice(2, 10)}`;
  const created = await server.call("POST", `/v1/flights/project/${projectId}/id/${external}`, {
    body: { fields: flight },
  });
  expect(created.status, created.text).toBe(200);
  const links = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
    body: {
      iosTemplateId: boardingId,
      payload: { flights: [{ flightExternalId: external, passengers: [{ fields: passenger }] }] },
    },
  });
  const linkId = links.json.links[0].adaptiveLinkId as string;
  expect((await fetch(`${server.baseUrl}/v1/pass/adaptive/${linkId}/ios`)).status).toBe(200);
  return (await server.call("GET", `/v1/links/adaptive/${linkId}/passes`)).json.passes[0].id as number;
}

// Airship's own example flight (the OpenAPI document's) and passenger.
const flight = flightExample.fields;
const passenger = {
  seatNumber: { value: "13A" },
  confirmationCode: { value: "E4583B" },
  passengerName: { value: "SMITH/JOE" },
};

describe("semantic boarding passes (iOS 26)", () => {
  it("fills Apple's semantic tags from Airship's flight and passenger fields, in the airports' time zones", async () => {
    const passId = await boardingPass(flight, passenger);
    const { passJson, files } = await bundleOf(passId);
    expect(passJson.preferredStyleSchemes).toEqual(["semanticBoardingPass", "boardingPass"]);
    expect((passJson.boardingPass as { transitType: string }).transitType).toBe("PKTransitTypeAir");
    expect(passJson.semantics).toMatchObject({
      airlineCode: "WN",
      flightNumber: 815,
      flightCode: "WN815",
      transitProvider: "Southwest Airlines",
      departureAirportCode: "SFO",
      departureCityName: "San Francisco",
      departureAirportTimeZone: "America/Los_Angeles",
      departureLocationTimeZone: "America/Los_Angeles",
      destinationAirportCode: "PDX",
      destinationCityName: "Portland",
      departureGate: "25",
      originalBoardingDate: "2018-07-30T08:35:00-07:00",
      originalDepartureDate: "2018-07-30T09:00:00-07:00",
      originalArrivalDate: "2018-07-30T11:00:00-07:00",
      currentDepartureDate: "2018-07-30T09:00:00-07:00",
      passengerName: { givenName: "JOE", familyName: "SMITH" },
      seats: [{ seatNumber: "13A", seatRow: "13" }],
      confirmationNumber: "E4583B",
      transitStatus: "scheduled",
    });
    expect(passBuilderErrors(passJson, Object.keys(files))).toEqual([]);
    // The classic fields stay: older iPhones show the legacy boarding pass.
    expect(JSON.stringify(passJson.boardingPass)).toContain("SFO");
    // Its preview is the semantic layout: both airports, the local times, gate, boarding, seat and passenger.
    const preview = await server.call("GET", `/v1/pass/${passId}/preview?format=svg`);
    expect(preview.status).toBe(200);
    for (const shown of [
      ">SFO<",
      ">PDX<",
      ">SAN FRANCISCO<",
      ">PORTLAND<",
      ">09:00<",
      ">11:00<",
      ">08:35<",
      ">13A<",
      ">JOE SMITH<",
      ">WN815<",
    ]) {
      expect(preview.text).toContain(shown);
    }
  });

  it("takes a flight's own semantics, and a change of them re-renders its passes", async () => {
    const external = `S${Math.random().toString(36).slice(2, 10)}`;
    const created = await server.call("POST", `/v1/flights/project/${projectId}/id/${external}`, {
      body: { fields: flight, semantics: { boardingGroup: "A", departureTerminal: "2" } },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json.semantics).toEqual({ boardingGroup: "A", departureTerminal: "2" });
    const links = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
      body: {
        iosTemplateId: boardingId,
        payload: { flights: [{ flightExternalId: external, passengers: [{ fields: passenger }] }] },
      },
    });
    const linkId = links.json.links[0].adaptiveLinkId as string;
    await fetch(`${server.baseUrl}/v1/pass/adaptive/${linkId}/ios`);
    const passId = (await server.call("GET", `/v1/links/adaptive/${linkId}/passes`)).json.passes[0].id as number;
    expect((await bundleOf(passId)).passJson.semantics).toMatchObject({ boardingGroup: "A", departureTerminal: "2" });
    const version = (await server.call("GET", `/v1/pass/${passId}`)).json.updatedAt;
    const changed = await server.call("PUT", `/v1/flights/project/${projectId}/id/${external}`, {
      body: { semantics: { boardingGroup: "B", departureTerminal: "2" } },
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.json.ticketId).toEqual(expect.any(Number));
    await server.startWorker();
    const semantics = await until(
      async () => (await bundleOf(passId)).passJson.semantics as Record<string, unknown>,
      (s) => s.boardingGroup === "B",
    );
    expect(semantics.boardingGroup).toBe("B");
    // The passes get a new version (so every device fetches them again) through the flight's ticket.
    const ticket = await until(
      async () => (await server.call("GET", `/v1/ticket/${changed.json.ticketId}`)).json,
      (t) => t.status === "done",
    );
    expect(ticket.progress).toEqual({ done: 1, total: 1 });
    expect((await server.call("GET", `/v1/pass/${passId}`)).json.updatedAt).not.toBe(version);
    const bad = await server.call("PUT", `/v1/flights/project/${projectId}/id/${external}`, {
      body: { semantics: { boardingGroup: 7 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("semantics.boardingGroup must be a string");
  });

  it("keeps the classic layout and names what is missing when Apple's required tags are not all there", async () => {
    const { arrivalTime: _a, ...noArrival } = flight;
    const passId = await boardingPass({ ...noArrival, departureAirport: { value: "XQQ" } }, passenger);
    const { json, missing } = await viewJson(passId);
    expect(json.preferredStyleSchemes).toBeUndefined();
    // An airport whose time zone is unknown: its local times cannot be given a zone either.
    expect(missing).toBe(
      "semanticBoardingPass: originalDepartureDate, originalBoardingDate, originalArrivalDate, departureAirportTimeZone",
    );
    expect(passBuilderErrors(json)).toEqual([]);
  });

  it("takes explicit semantics, relevantDates and the boarding pass's URLs, and keeps them through GET", async () => {
    const created = await server.call("POST", `/v1/pass/${boardingId}`, {
      body: {
        fields: {
          flightNumber: { value: "UA 100" },
          airlineCode: { value: "UA" },
          departureAirport: { value: "EWR", label: "Newark" },
          arrivalAirport: { value: "LHR", label: "London" },
          departureTime: { value: "2027-03-28T18:00:00" },
          boardingTime: { value: "2027-03-28T17:20:00" },
          arrivalTime: { value: "2027-03-29T06:10:00" },
          passengerName: { value: "Ada Lovelace" },
        },
        headers: {
          semantics: { value: { boardingGroup: "2", priorityStatus: "Gold", departureTerminal: "C" } },
          relevantDates: { value: [{ startDate: "2027-03-28T15:00:00-04:00", endDate: "2027-03-28T18:00:00-04:00" }] },
          upgradeURL: { value: "https://air.example/upgrade" },
          changeSeatURL: { value: "https://air.example/seat" },
          transitProviderPhoneNumber: { value: "+1 800 555 0100" },
        },
      },
    });
    expect(created.status, created.text).toBe(200);
    const { passJson } = await bundleOf(created.json.id);
    expect(passJson.semantics).toMatchObject({
      flightNumber: 100,
      boardingGroup: "2",
      priorityStatus: "Gold",
      departureTerminal: "C",
      passengerName: { givenName: "Ada", familyName: "Lovelace" },
      // Newark in summer time, London in summer time (the clocks changed that morning).
      originalDepartureDate: "2027-03-28T18:00:00-04:00",
      originalArrivalDate: "2027-03-29T06:10:00+01:00",
      destinationAirportTimeZone: "Europe/London",
    });
    expect(passJson.preferredStyleSchemes).toEqual(["semanticBoardingPass", "boardingPass"]);
    expect(passJson.relevantDates).toEqual([
      { startDate: "2027-03-28T15:00:00-04:00", endDate: "2027-03-28T18:00:00-04:00" },
    ]);
    expect(passJson).toMatchObject({
      upgradeURL: "https://air.example/upgrade",
      changeSeatURL: "https://air.example/seat",
      transitProviderPhoneNumber: "+1 800 555 0100",
    });
    expect(passBuilderErrors(passJson)).toEqual([]);
    const got = (await server.call("GET", `/v1/pass/${created.json.id}`)).json;
    expect(got.headers.semantics.value).toEqual({ boardingGroup: "2", priorityStatus: "Gold", departureTerminal: "C" });
    expect(got.headers.relevantDates.value).toHaveLength(1);
  });

  it("answers a 400 naming the key for every malformed new key, and writes nothing", async () => {
    const before = (await server.call("GET", `/v1/pass?templateId=${boardingId}`)).json.count;
    const bad: Array<[Record<string, unknown>, string]> = [
      [
        { semantics: { value: { flightNumer: 1 } } },
        'header "semantics".flightNumer is not one of Apple\'s semantic tags',
      ],
      [{ semantics: { value: { flightNumber: "one" } } }, 'header "semantics".flightNumber must be an integer'],
      [{ semantics: { value: { originalDepartureDate: "2027-03-28T18:00:00" } } }, "with a time zone"],
      [{ semantics: { value: "tags" } }, 'header "semantics" must be an object'],
      [{ relevantDates: { value: [{ startDate: "tomorrow" }] } }, 'header "relevantDates"[0].startDate'],
      [{ relevantDates: { value: [] } }, 'header "relevantDates" must be an array of 1 to 10'],
      [{ preferredStyleSchemes: { value: ["fancy"] } }, 'header "preferredStyleSchemes" must be an array'],
      [{ upgradeURL: { value: "http://air.example/upgrade" } }, 'header "upgradeURL" must be an https URL'],
      [{ useAutomaticColors: { value: "maybe" } }, 'header "useAutomaticColors" must be true or false'],
    ];
    for (const [headers, problem] of bad) {
      const answer = await server.call("POST", `/v1/pass/${boardingId}`, { body: { headers } });
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(JSON.stringify(answer.json.details), JSON.stringify(headers)).toContain(
        JSON.stringify(problem).slice(1, -1),
      );
    }
    const template = await server.call("POST", `/v1/template/${projectId}`, {
      body: { ...appleTemplate, name: "bad", headers: { semantics: { value: { seats: "13A" } } } },
    });
    expect(template.status).toBe(400);
    expect(template.json.error).toContain('"semantics".seats must be an array');
    expect((await server.call("GET", `/v1/pass?templateId=${boardingId}`)).json.count).toBe(before);
  });
});

describe("poster event tickets (iOS 18)", () => {
  it("asks for the poster layout when the ticket qualifies, and names what it lacks (NFC) when it does not", async () => {
    const project = (
      await server.call("POST", "/v1/project", { body: { name: "Stadium", projectType: "eventTicket" } })
    ).json.id;
    const artwork = `data:image/png;base64,${pngFixture(32, 32, [20, 40, 200]).toString("base64")}`;
    const template = await server.call("POST", `/v1/template/${project}`, {
      body: {
        ...appleTemplate,
        name: "Poster",
        type: "Event Ticket",
        headers: {
          ...appleTemplate.headers,
          preferredStyleSchemes: { value: ["posterEventTicket", "eventTicket"] },
          artwork_image: { value: artwork },
          eventLogoText: { value: "Giants" },
          footerBackgroundColor: { value: "rgb(10,20,30)" },
          useAutomaticColors: { value: "true" },
          bagPolicyURL: { value: "https://stadium.example/bags" },
          semantics: {
            value: { eventType: "PKEventTypeSports", homeTeamAbbreviation: "SF", awayTeamAbbreviation: "LAD" },
          },
        },
        fields: {
          eventName: { fieldType: "primary", value: "Giants vs. Dodgers", label: "Event" },
          venueTitle: { fieldType: "secondary", value: "Oracle Park", label: "Venue" },
          startTime: { fieldType: "auxiliary", value: "2027-04-07T19:05:00-07:00", label: "Starts" },
          seat: { fieldType: "auxiliary", value: "12", label: "Seat" },
          parking: { fieldType: "additionalInfo", value: "Lot A", label: "Parking" },
        },
      },
    });
    expect(template.status, template.text).toBe(200);
    const pass = (await server.call("POST", `/v1/pass/${template.json.templateId}`, { body: {} })).json;
    // Without an NFC key the poster layout cannot be used: the classic ticket, and why — in the create response,
    // on GET, and on viewJSONPass.
    expect(pass.walletLayoutMissing).toEqual({ scheme: "posterEventTicket", keys: ["nfc"] });
    expect((await server.call("GET", `/v1/pass/${pass.id}`)).json.walletLayoutMissing).toEqual(
      pass.walletLayoutMissing,
    );
    const classic = await viewJson(pass.id);
    expect(classic.json.preferredStyleSchemes).toBeUndefined();
    expect(classic.missing).toBe("posterEventTicket: nfc");
    const stillMissing = await server.call("PUT", `/v1/pass/${pass.id}`, {
      body: { fields: { seat: { value: "12" } } },
    });
    expect(stillMissing.json.walletLayoutMissing).toEqual({ scheme: "posterEventTicket", keys: ["nfc"] });

    const merchant = await server.call("POST", `/v1/project/${project}/nfcMerchants`, {
      body: { vendor: "APPLE", merchantName: "Stadium" },
    });
    expect(merchant.status, merchant.text).toBe(200);
    const complete = await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: { seat: { value: "13" } } } });
    expect(complete.status, complete.text).toBe(200);
    expect(complete.json.walletLayoutMissing).toBeUndefined();
    expect(typeof complete.json.ticketId).toBe("number");
    const { passJson, files } = await bundleOf(pass.id);
    expect(passJson.preferredStyleSchemes).toEqual(["posterEventTicket", "eventTicket"]);
    expect(passJson.semantics).toMatchObject({
      eventName: "Giants vs. Dodgers",
      venueName: "Oracle Park",
      eventStartDate: "2027-04-07T19:05:00-07:00",
      eventType: "PKEventTypeSports",
      homeTeamAbbreviation: "SF",
      awayTeamAbbreviation: "LAD",
      seats: [{ seatNumber: "13" }],
    });
    expect(passJson).toMatchObject({
      eventLogoText: "Giants",
      footerBackgroundColor: "rgb(10, 20, 30)",
      useAutomaticColors: true,
      bagPolicyURL: "https://stadium.example/bags",
    });
    expect((passJson.eventTicket as { additionalInfoFields: unknown[] }).additionalInfoFields).toEqual([
      { key: "parking", label: "Parking", value: "Lot A" },
    ]);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(["artwork.png", "artwork@2x.png"]));
    expect(passBuilderErrors(passJson, Object.keys(files))).toEqual([]);
    // Its preview is the poster: the artwork, and the event's name, start (in its own zone) and venue over it.
    const poster = await server.call("GET", `/v1/pass/${pass.id}/preview?format=svg`);
    expect(poster.text).toContain(`href="data:image/png;base64,${files["artwork.png"]!.toString("base64")}"`);
    expect(poster.text).toMatch(/font-size="24" font-weight="700" fill="#ffffff">Giants vs. Dodgers</);
    expect(poster.text).toContain(">Oracle Park<");
    expect(poster.text).toContain(">Wed 7 Apr, 19:05<");
    // Before the NFC key, the same pass was drawn as the classic ticket.
    expect(classic.json.preferredStyleSchemes).toBeUndefined();
    const got = (await server.call("GET", `/v1/template/${template.json.templateId}`)).json;
    expect(got.fieldsModel.headers.preferredStyleSchemes.value).toEqual(["posterEventTicket", "eventTicket"]);
  });
});

describe("season tickets, actions and newer barcodes", () => {
  it("hosts the images of upcoming events (iOS 26) and names them by our URL and the hash of our bytes", async () => {
    const poster = pngFixture(40, 20, [200, 100, 0]);
    const created = await server.call("POST", `/v1/pass/${boardingId}`, {
      body: {
        headers: {
          upcomingPassInformation: {
            value: [
              {
                identifier: "game-1",
                name: "Giants vs. Dodgers",
                type: "event",
                isActive: true,
                dateInformation: { date: "2027-04-07T19:05:00-07:00", timeZone: "America/Los_Angeles" },
                semantics: { venueName: "Oracle Park" },
                urls: { bagPolicyURL: "https://stadium.example/bags" },
                images: { headerImage: { url: `data:image/png;base64,${poster.toString("base64")}` } },
              },
              { identifier: "game-2", name: "Giants vs. Padres", type: "event" },
            ],
          },
          featuredActions: {
            value: [{ identifier: "seat", actionType: "openURL", url: "https://stadium.example/seat" }],
          },
          groupingIdentifier: { value: "trip-42" },
          suppressHeaderDarkening: { value: "true" },
          barcode_value: { value: "4006381333931" },
          barcode_type: { value: "ean13" },
        },
      },
    });
    expect(created.status, created.text).toBe(200);
    const { passJson } = await bundleOf(created.json.id);
    const sha256 = createHash("sha256").update(poster).digest("hex");
    const entries = passJson.upcomingPassInformation as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      identifier: "game-1",
      type: "event",
      semantics: { venueName: "Oracle Park" },
      images: {
        headerImage: {
          urls: [{ sha256, scale: 1, size: poster.length, url: `${server.baseUrl}/images/${sha256}.png` }],
        },
      },
    });
    const served = await fetch(`${server.baseUrl}/images/${sha256}.png`);
    expect(served.status).toBe(200);
    expect(
      createHash("sha256")
        .update(Buffer.from(await served.arrayBuffer()))
        .digest("hex"),
    ).toBe(sha256);
    expect(passJson).toMatchObject({
      featuredActions: [{ identifier: "seat", actionType: "openURL", url: "https://stadium.example/seat" }],
      groupingIdentifier: "trip-42",
      suppressHeaderDarkening: true,
    });
    // The newer format first, then a Code 128 of the same message for the Wallets that cannot draw it.
    expect((passJson.barcodes as Array<{ format: string; message: string }>).map((b) => [b.format, b.message])).toEqual(
      [
        ["PKBarcodeFormatEAN13", "4006381333931"],
        ["PKBarcodeFormatCode128", "4006381333931"],
      ],
    );
    // What GET answers can be sent back as it is (the image by its hash); a hash nothing here holds is refused.
    const stored = (await server.call("GET", `/v1/pass/${created.json.id}`)).json.headers.upcomingPassInformation.value;
    expect(stored[0].images.headerImage).toEqual({ urls: [{ sha256, scale: 1, size: poster.length }] });
    const again = await server.call("PUT", `/v1/pass/${created.json.id}`, {
      body: { headers: { upcomingPassInformation: { value: stored } } },
    });
    expect(again.status, again.text).toBe(200);
    const forged = structuredClone(stored);
    forged[0].images.headerImage.urls[0].sha256 = "0".repeat(64);
    const refused = await server.call("PUT", `/v1/pass/${created.json.id}`, {
      body: { headers: { upcomingPassInformation: { value: forged } } },
    });
    expect(refused.status).toBe(400);
    expect(refused.json.error).toContain("no image stored here has that sha256");
  });

  it("names the problem in a malformed upcoming event or featured action", async () => {
    const entry = { identifier: "a", name: "A", type: "event" };
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ upcomingPassInformation: { value: [{ ...entry, type: "concert" }] } }, '[0].type must be \\"event\\"'],
      [{ upcomingPassInformation: { value: [entry, entry] } }, '[1].identifier \\"a\\" is used twice'],
      [
        { upcomingPassInformation: { value: [{ ...entry, dateInformation: { date: "soon" } }] } },
        "dateInformation.date",
      ],
      [
        { upcomingPassInformation: { value: [{ ...entry, images: { poster: { url: "https://x.example/p.png" } } }] } },
        "images.poster",
      ],
      [
        { upcomingPassInformation: { value: [{ ...entry, urls: { bagPolicyURL: "http://x.example" } }] } },
        "urls.bagPolicyURL",
      ],
      [{ featuredActions: { value: [{ identifier: "x" }] } }, 'header \\"featuredActions\\" must be an array'],
      [{ stripColor: { value: "blue-ish" } }, 'header \\"stripColor\\" must be a colour'],
    ];
    for (const [headers, problem] of bad) {
      const answer = await server.call("POST", `/v1/pass/${boardingId}`, { body: { headers } });
      expect(answer.status, JSON.stringify(headers)).toBe(400);
      expect(JSON.stringify(answer.json), JSON.stringify(headers)).toContain(problem);
    }
  });
});
