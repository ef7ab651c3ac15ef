// Google Wallet over real HTTP: a fake Wallet API + OAuth token endpoint + callback-key endpoint on loopback record
// what we send. Classes and objects of every type validate against Google's discovery document; save links are
// RS256 JWTs ≤ 1,800 characters; sync calls are exactly the ones a change needs; callbacks verify ECv2 signatures.
import { createHmac, verify } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeGoogle, type RecordedCall, startFakeGoogle } from "../fakes/google.js";
import { type Ecv2Signer, ecv2Signer } from "../fakes/google-callback-signer.js";
import { googleTemplate, smallGoogleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { discoveryProblems, schemaOfResource } from "../helpers/discovery.js";
import { jobsSettled, until } from "../helpers/wait.js";

let google: FakeGoogle;
let signer: Ecv2Signer;
let server: TestServer;
let projectId: number;

beforeAll(async () => {
  google = await startFakeGoogle();
  signer = ecv2Signer();
  google.callbackKeys = signer.keysDocument;
  server = await startTestServer({
    worker: true,
    google: {
      defaultIssuer: { issuerId: google.issuerId, serviceAccount: google.serviceAccount },
      apiUrl: google.url,
      callbackKeysUrl: `${google.url}/keys`,
    },
  });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Acme Rewards", projectType: "memberCard" } }))
    .json.id;
});
afterAll(async () => {
  await server.close();
  await google.close();
});

const settled = () => jobsSettled(server.database);

async function template(body: Record<string, unknown>): Promise<number> {
  const response = await server.call("POST", `/v1/template/${projectId}`, { body });
  expect(response.status, response.text).toBe(200);
  return response.json.templateId;
}

async function pass(templateId: number, body: Record<string, unknown> = {}) {
  const response = await server.call("POST", `/v1/pass/${templateId}`, { body });
  expect(response.status, response.text).toBe(200);
  return response.json as { id: number; serialNumber: string };
}

/** A pass of a new template whose object Google has received, with the queue drained. */
async function syncedPass(name: string) {
  const created = await pass(await template({ ...googleTemplate, name }));
  await saveLink(created.id); // handed out: its object is made
  const objectId = objectIdOf(created.serialNumber);
  await until(
    () => callsFor(objectId, "insert"),
    (c) => c.length > 0,
  );
  await settled();
  return { created, objectId };
}

const objectIdOf = (serial: string) => `${google.issuerId}.${serial}`;
const callsFor = (id: string, action?: RecordedCall["action"]) =>
  google.calls.filter((c) => (c.id ?? (c.body as { id?: string })?.id) === id && (!action || c.action === action));

function decodeJwt(jwt: string) {
  const [head, claims, signature] = jwt.split(".");
  return {
    header: JSON.parse(Buffer.from(head!, "base64url").toString()),
    claims: JSON.parse(Buffer.from(claims!, "base64url").toString()),
    verifies: verify(
      "sha256",
      Buffer.from(`${head}.${claims}`),
      google.publicKey,
      Buffer.from(signature!, "base64url"),
    ),
  };
}

async function saveLink(passId: number): Promise<string> {
  const response = await fetch(`${server.baseUrl}/v1/pass/${passId}/download`, {
    redirect: "manual",
    headers: {
      authorization: `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`,
    },
  });
  expect(response.status).toBe(302);
  const location = response.headers.get("location")!;
  expect(location.startsWith("https://pay.google.com/gp/v/save/")).toBe(true);
  return location.slice("https://pay.google.com/gp/v/save/".length);
}

/** An attendee's fields as Airship's event tickets name them. */
const eventFields = {
  ticketHolderName: { label: "Name", value: "SMITH/SAM", row: 0, col: 0, notShared: true },
  seat: { label: "Seat", value: "11", row: 0, col: 1, notShared: true },
  row: { label: "Row", value: "F", row: 1, col: 0, notShared: true },
  section: { label: "Section", value: "112", row: 1, col: 1, notShared: true },
  gate: { label: "Gate", value: "C", row: 2, col: 0 },
  ticketType: { label: "Type", value: "VIP", row: 2, col: 1, notShared: true },
  faceValue: { label: "Price", value: "100.50", currencyCode: "EUR", row: 3, col: 0, notShared: true },
};

const flightFields = {
  airlineCode: { label: "Airline", value: "UA", row: 0, col: 0 },
  flightNumber: { label: "Flight", value: "815", row: 0, col: 1 },
  departureAirport: { label: "From", value: "sfo", row: 1, col: 0 },
  arrivalAirport: { label: "To", value: "JFK", row: 1, col: 1 },
  departureTime: { label: "Departs", value: "2030-03-05T06:00:00-08:00", row: 2, col: 0 },
  passengerName: { label: "Passenger", value: "Ada Lovelace", row: 3, col: 0, notShared: true },
  confirmationCode: { label: "PNR", value: "ABC123", row: 3, col: 1, notShared: true },
  boardingGroup: { label: "Group", value: "B", row: 4, col: 0, notShared: true },
  seatClass: { label: "Class", value: "Economy", row: 4, col: 1, notShared: true },
  frequentFlyerNumber: { label: "FF", value: "UA123456", row: 5, col: 0, notShared: true },
};

describe("classes and objects of every type", () => {
  const kinds: Array<[string, string, string, Record<string, unknown>]> = [
    [
      "Loyalty1",
      "memberCard",
      "loyalty",
      {
        valueAddedModuleData: {
          drinks: { header: "Tonight", value: "2 for 1 drinks", uri: "https://bar.example/offer", sortIndex: 1 },
        },
      },
    ],
    ["Coupon", "coupon", "offer", {}],
    ["Gift Card", "giftCard", "giftCard", {}],
    ["Event Ticket", "eventTicket", "eventTicket", { infoModuleData: eventFields }],
    ["Boarding Pass", "boardingPass", "flight", { infoModuleData: { hexBackgroundColor: "#112233", ...flightFields } }],
    ["Generic", "generic", "generic", {}],
  ];
  for (const [type, projectType, kind, extra] of kinds) {
    it(`sends a ${kind} class and object that validate against the discovery document`, async () => {
      const templateId = await template({ ...googleTemplate, name: `${kind} template`, type, projectType, ...extra });
      const created = await pass(templateId, {
        headers: {
          barcode_value: { value: "1234567890" },
          barcode_type: { value: "pdf417" },
          barcodeAltText: { value: "1234 5678 90" },
          expirationDate: { value: "2031-01-01T00:00:00Z" },
        },
        locations: [{ latitude: 37.6, longitude: -122.4 }],
      });
      await saveLink(created.id);
      const objectId = objectIdOf(created.serialNumber);
      const [insert] = await until(
        () => callsFor(objectId, "insert"),
        (c) => c.length > 0,
      );
      expect(insert, `no ${kind} object insert`).toBeDefined();
      expect(insert!.resource).toBe(`${kind}Object`);
      const object = insert!.body as Record<string, unknown>;
      expect(discoveryProblems(schemaOfResource(insert!.resource!), object)).toEqual([]);
      expect(object).toMatchObject({
        id: objectId,
        state: "ACTIVE",
        barcode: { type: "PDF_417", value: "1234567890", alternateText: "1234 5678 90" },
        validTimeInterval: { end: { date: "2031-01-01T00:00:00.000Z" } },
        merchantLocations: [{ latitude: 37.6, longitude: -122.4 }],
      });
      expect(object.id).toMatch(/^\d+\.[A-Za-z0-9._-]+$/);
      const classInsert = google.calls.find(
        (c) =>
          c.action === "insert" && c.resource === `${kind}Class` && (c.body as { id: string }).id === object.classId,
      );
      expect(classInsert).toBeDefined();
      const klass = classInsert!.body as Record<string, unknown>;
      expect(discoveryProblems(schemaOfResource(classInsert!.resource!), klass)).toEqual([]);
      expect(klass.id).toMatch(new RegExp(`^${google.issuerId}\\.[A-Za-z0-9._-]+$`));
      expect(klass.callbackOptions).toEqual({ url: `${server.baseUrl}/google/callback` });
      if (kind === "flight") {
        expect(klass).toMatchObject({
          flightHeader: { carrier: { carrierIataCode: "UA" }, flightNumber: "815" },
          origin: { airportIataCode: "SFO" },
          destination: { airportIataCode: "JFK" },
          localScheduledDepartureDateTime: "2030-03-05T06:00:00",
        });
        expect(object).toMatchObject({
          passengerName: "Ada Lovelace",
          reservationInfo: { confirmationCode: "ABC123", frequentFlyerInfo: { frequentFlyerNumber: "UA123456" } },
          boardingAndSeatingInfo: { boardingGroup: "B", seatClass: "Economy" },
        });
      }
      if (kind === "eventTicket") {
        expect(object).toMatchObject({
          ticketHolderName: "SMITH/SAM",
          ticketType: { defaultValue: { language: "en", value: "VIP" } },
          seatInfo: {
            seat: { defaultValue: { language: "en", value: "11" } },
            row: { defaultValue: { language: "en", value: "F" } },
            section: { defaultValue: { language: "en", value: "112" } },
            gate: { defaultValue: { language: "en", value: "C" } },
          },
          faceValue: { micros: "100500000", currencyCode: "EUR" },
        });
      }
      if (kind === "loyalty") {
        expect(klass).toMatchObject({ programName: "UA", issuerName: "Acme Rewards", hexBackgroundColor: "#0096e1" });
        expect(klass.valueAddedModuleData).toEqual([
          {
            header: { defaultValue: { language: "en", value: "Tonight" } },
            body: { defaultValue: { language: "en", value: "2 for 1 drinks" } },
            uri: "https://bar.example/offer",
            sortIndex: 1,
          },
        ]);
        expect(object.loyaltyPoints).toEqual({ label: "Points", balance: { int: 1234 } });
        // The logo (an Airship stock image) is served by this server.
        const logo = (klass.programLogo as { sourceUri: { uri: string } }).sourceUri.uri;
        expect(logo.startsWith(`${server.baseUrl}/images/`)).toBe(true);
        const png = await fetch(logo);
        expect(png.headers.get("content-type")).toBe("image/png");
      }
      // The OAuth token came from the configured token endpoint (GOOGLE_TOKEN_URL) and is reused.
      expect(insert!.authorization).toMatch(/^Bearer token-/);
    });
  }
});

describe("boarding passes without a whole flight", () => {
  it("are generic passes, not flights with made-up airports", async () => {
    const templateId = await template({
      ...googleTemplate,
      name: "half flight",
      type: "Boarding Pass",
      projectType: "boardingPass",
    });
    const created = await pass(templateId);
    await saveLink(created.id);
    const [insert] = await until(
      () => callsFor(objectIdOf(created.serialNumber), "insert"),
      (c) => c.length > 0,
    );
    expect(insert!.resource).toBe("genericObject");
    expect(discoveryProblems("GenericObject", insert!.body)).toEqual([]);
  });
});

describe("save links", () => {
  it("signs an RS256 savetowallet JWT with the class and object, at most 1,800 characters", async () => {
    const templateId = await template(smallGoogleTemplate);
    const created = await pass(templateId, { headers: { barcode_value: { value: "42" } } });
    const jwt = await saveLink(created.id);
    expect(jwt.length).toBeLessThanOrEqual(1800);
    const { header, claims, verifies } = decodeJwt(jwt);
    expect(verifies).toBe(true);
    expect(header).toMatchObject({ alg: "RS256", kid: "key-1" });
    expect(claims).toMatchObject({
      iss: google.serviceAccount.client_email,
      aud: "google",
      typ: "savetowallet",
      origins: [new URL(server.baseUrl).origin],
    });
    expect(typeof claims.iat).toBe("number");
    const [klass] = claims.payload.loyaltyClasses;
    const [object] = claims.payload.loyaltyObjects;
    expect(discoveryProblems("LoyaltyClass", klass)).toEqual([]);
    expect(discoveryProblems("LoyaltyObject", object)).toEqual([]);
    expect(object.id).toBe(objectIdOf(created.serialNumber));
  });

  it("inserts first and sends only ids when the full JWT would be longer than 1,800 characters", async () => {
    const long: Record<string, unknown> = {};
    for (let i = 0; i < 8; i++)
      long[`Section ${i}`] = { header: `Section ${i}`, body: "x".repeat(200), row: i, col: 0 };
    const templateId = await template({ ...googleTemplate, name: "long", textModulesData: long });
    const created = await pass(templateId);
    const jwt = await saveLink(created.id);
    expect(jwt.length).toBeLessThanOrEqual(1800);
    const { claims, verifies } = decodeJwt(jwt);
    expect(verifies).toBe(true);
    expect(claims.payload).toEqual({
      loyaltyObjects: [{ id: objectIdOf(created.serialNumber), classId: expect.stringMatching(/^\d+\./) }],
    });
    expect(google.stored.has(`loyaltyObject/${objectIdOf(created.serialNumber)}`)).toBe(true);
  });

  it("serves the public link of a Google pass as the same redirect", async () => {
    const templateId = await template({ ...googleTemplate, name: "public" });
    const created = (await server.call("POST", `/v1/pass/${templateId}`, { body: { publicUrl: { type: "multiple" } } }))
      .json;
    const response = await fetch(created.publicUrl.path, { redirect: "manual" });
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
  });
});

describe("sync", () => {
  it("publishing a class-level change to every pass costs one class PATCH", async () => {
    const templateId = await template({ ...googleTemplate, name: "publish" });
    const passes = [];
    for (let i = 0; i < 40; i++) passes.push(await pass(templateId));
    await settled();
    const before = google.calls.length;
    const publish = await server.call("PUT", `/v1/template/${templateId}/passes`, {
      body: { fields: { "Program ID": { value: "87654321" } } },
    });
    expect(publish.status).toBe(200);
    await until(
      async () => (await server.call("GET", `/v1/ticket/${publish.json.ticketId}`)).json.status,
      (s) => s === "done",
    );
    await settled();
    const made = google.calls.slice(before);
    expect(made.map((c) => `${c.action} ${c.resource}`)).toEqual(["patch loyaltyClass"]);
    const body = made[0]!.body as { textModulesData: Array<{ body: string }> };
    expect(body.textModulesData.some((m) => m.body === "87654321")).toBe(true);
  });

  it("moves a field a pass overrides onto the objects and notifies the holder with its change message", async () => {
    const templateId = await template({
      ...googleTemplate,
      name: "messages",
      infoModuleData: {
        ...googleTemplate.infoModuleData,
        "Tier Name": { ...googleTemplate.infoModuleData["Tier Name"], changeMessage: "You are now %@!" },
      },
    });
    const created = await pass(templateId);
    await saveLink(created.id);
    await settled();
    const objectId = objectIdOf(created.serialNumber);
    const update = await server.call("PUT", `/v1/pass/${created.id}`, {
      body: { fields: { "Tier Name": { value: "Gold" } } },
    });
    expect(update.status).toBe(200);
    const messages = await until(
      () => callsFor(objectId, "addMessage"),
      (c) => c.length > 0,
    );
    expect(messages[0]!.body).toMatchObject({
      message: { header: "Tier Name", body: "You are now Gold!", messageType: "TEXT_AND_NOTIFY" },
    });
    expect(discoveryProblems("AddMessageRequest", messages[0]!.body)).toEqual([]);
    await settled();
    const patches = callsFor(objectId, "patch");
    const last = patches[patches.length - 1]!.body as { textModulesData: Array<{ id: string; body: string }> };
    expect(last.textModulesData.find((m) => m.id === "Tier_Name")?.body).toBe("Gold");
    const classBody = google.stored.get(`loyaltyClass/${(last as unknown as { classId: string }).classId}`) as {
      textModulesData?: Array<{ id: string }>;
    };
    expect(classBody.textModulesData?.some((m) => m.id === "Tier_Name")).toBe(false);
  });

  it("puts an issuer's message on the Google object (POST …/message, Airship's shape), validated against the discovery document", async () => {
    const { created, objectId } = await syncedPass("issuer messages");
    const answer = await server.call("POST", `/v1/pass/${created.id}/message`, {
      body: {
        header: "Your pass expires soon",
        body: "Renew by the end of the month.",
        messageType: "expirationNotification",
        startTime: { date: "2030-01-01T00:00:00Z" },
        endTime: { date: "2030-01-31T23:59:59Z" },
      },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.json).toEqual({
      id: expect.any(String),
      header: "Your pass expires soon",
      body: "Renew by the end of the month.",
      messageType: "expirationNotification",
      startTime: "2030-01-01T00:00:00.000Z",
      endTime: "2030-01-31T23:59:59.000Z",
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const patch = await until(
      () => callsFor(objectId, "patch"),
      (c) => c.some((call) => Array.isArray((call.body as { messages?: unknown[] }).messages)),
    );
    const object = patch.find((call) => Array.isArray((call.body as { messages?: unknown[] }).messages))!.body as {
      messages: Array<Record<string, unknown>>;
    };
    expect(object.messages).toEqual([
      {
        id: expect.any(String),
        header: "Your pass expires soon",
        body: "Renew by the end of the month.",
        messageType: "EXPIRATION_NOTIFICATION",
        displayInterval: { start: { date: "2030-01-01T00:00:00.000Z" }, end: { date: "2030-01-31T23:59:59.000Z" } },
      },
    ]);
    expect(discoveryProblems("LoyaltyObject", object)).toEqual([]);
    // The pass keeps its newest ten.
    for (let i = 0; i < 11; i++) {
      const more = await server.call("POST", `/v1/pass/${created.id}/message`, {
        body: { header: `h${i}`, body: "b" },
      });
      expect(more.status).toBe(200);
      expect(more.json.messageType).toBe("text");
    }
    await settled();
    const stored = google.stored.get(`loyaltyObject/${objectId}`) as { messages: Array<{ header: string }> };
    expect(stored.messages.map((m) => m.header)).toEqual(["h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "h10"]);
    const bad: Array<[unknown, string]> = [
      [{ body: "b" }, "header"],
      [{ header: "h", body: "x".repeat(2001) }, "body must be"],
      [{ header: "h", body: "b", messageType: "shout" }, "messageType must be"],
      [{ header: "h", body: "b", startTime: { date: "soon" } }, "startTime must be"],
      [
        {
          header: "h",
          body: "b",
          startTime: { date: "2030-02-01T00:00:00Z" },
          endTime: { date: "2030-01-01T00:00:00Z" },
        },
        "endTime must be after",
      ],
    ];
    for (const [body, problem] of bad) {
      const refused = await server.call("POST", `/v1/pass/${created.id}/message`, { body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(refused.json)).toContain(problem);
    }
    expect((await server.call("POST", "/v1/pass/999999/message", { body: { header: "h", body: "b" } })).status).toBe(
      404,
    );
  });

  it("links passes (linkedObjectIds) by their pass ids, within the account only", async () => {
    const templateId = await template({ ...googleTemplate, name: "linked" });
    const parking = await pass(templateId);
    const ticket = await pass(templateId);
    await saveLink(parking.id);
    await saveLink(ticket.id);
    await settled();
    const other = await server.newAccount("linker");
    const foreignProject = (
      await server.call("POST", "/v1/project", { body: { name: "Other", projectType: "memberCard" }, as: other })
    ).json.id;
    const foreignTemplate = (
      await server.call("POST", `/v1/template/${foreignProject}`, { body: { ...googleTemplate, name: "x" }, as: other })
    ).json.templateId;
    const foreign = (await server.call("POST", `/v1/pass/${foreignTemplate}`, { body: {}, as: other })).json.id;
    const linked = await server.call("PUT", `/v1/pass/${ticket.id}`, {
      body: { headers: { linkedObjectIds: { value: [parking.id, foreign] } } },
    });
    expect(linked.status, linked.text).toBe(200);
    const objectId = objectIdOf(ticket.serialNumber);
    const patch = await until(
      () => callsFor(objectId, "patch"),
      (c) => c.some((call) => Array.isArray((call.body as { linkedObjectIds?: unknown }).linkedObjectIds)),
    );
    const body = patch.find((call) => Array.isArray((call.body as { linkedObjectIds?: unknown }).linkedObjectIds))!
      .body as Record<string, unknown>;
    // Another account's pass is left out: one account cannot reach another's objects.
    expect(body.linkedObjectIds).toEqual([objectIdOf(parking.serialNumber)]);
    expect(discoveryProblems("LoyaltyObject", body)).toEqual([]);
    const bad = await server.call("PUT", `/v1/pass/${ticket.id}`, {
      body: { headers: { linkedObjectIds: { value: ["parking"] } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('"linkedObjectIds" must be an array of at most 10 pass ids');
  });

  it("gives a pass a rotating barcode whose key goes to Google through the API only, and checks codes for scanners", async () => {
    const templateId = await template({
      ...googleTemplate,
      name: "rotating",
      headers: {
        ...googleTemplate.headers,
        rotatingBarcode: {
          value: {
            type: "QR_CODE",
            valuePattern: "T-{totp_value_0}",
            periodMillis: 30000,
            valueLength: 8,
            alternateText: "Live",
          },
        },
      },
    });
    const created = await pass(templateId);
    const jwt = await saveLink(created.id);
    const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString());
    // The link names the object only; the object, with its key, was made through the API.
    expect(JSON.stringify(claims)).not.toContain("totpDetails");
    expect(claims.payload.loyaltyObjects).toEqual([
      { id: objectIdOf(created.serialNumber), classId: expect.any(String) },
    ]);
    const [insert] = callsFor(objectIdOf(created.serialNumber), "insert");
    const object = insert!.body as { rotatingBarcode: { totpDetails: { parameters: Array<{ key: string }> } } };
    expect(object.rotatingBarcode).toMatchObject({
      type: "QR_CODE",
      renderEncoding: "UTF_8",
      valuePattern: "T-{totp_value_0}",
      alternateText: "Live",
      totpDetails: { periodMillis: "30000", algorithm: "TOTP_SHA1", parameters: [{ valueLength: 8 }] },
    });
    expect(discoveryProblems("LoyaltyObject", object)).toEqual([]);
    const key = Buffer.from(object.rotatingBarcode.totpDetails.parameters[0]!.key, "hex");
    expect(key).toHaveLength(20);
    // RFC 6238, computed here independently of the server.
    const code = (at: number) => {
      const counter = Buffer.alloc(8);
      counter.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
      const mac = createHmac("sha1", key).update(counter).digest();
      const offset = mac[19]! & 0x0f;
      return `T-${String((mac.readUInt32BE(offset) & 0x7fffffff) % 1e8).padStart(8, "0")}`;
    };
    const verify = (value: string) =>
      server.call("POST", `/v1/pass/${created.id}/rotatingBarcode/verify`, { body: { value } });
    expect((await verify(code(Date.now()))).json).toEqual({ valid: true });
    expect((await verify(code(Date.now() - 5 * 30000))).json).toEqual({ valid: false });
    expect((await verify("T-00000000")).json.valid).toBe(code(Date.now()) === "T-00000000");
    // The key is the pass's own and stays the same (the object is not rewritten at every sync).
    await server.call("PUT", `/v1/pass/${created.id}`, { body: { fields: {} } });
    expect((await verify(code(Date.now()))).json).toEqual({ valid: true });
    const bad = await server.call("POST", `/v1/template/${projectId}`, {
      body: { ...googleTemplate, name: "bad", headers: { rotatingBarcode: { value: { periodMillis: 5 } } } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('"rotatingBarcode".periodMillis must be an integer from 1000 to 300000');
    const plain = await pass(await template({ ...googleTemplate, name: "static" }));
    const none = await server.call("POST", `/v1/pass/${plain.id}/rotatingBarcode/verify`, { body: { value: "1" } });
    expect(none.status).toBe(400);
    expect(none.json.error).toBe("this pass shows no rotating barcode");
  });

  it("retries 500s and honours Retry-After on 429", async () => {
    const templateId = await template({ ...googleTemplate, name: "retries" });
    await settled();
    const answers = [{ status: 500 }, { status: 429, headers: { "retry-after": "1" } }];
    google.script = (call) =>
      call.action === "insert" && call.resource === "loyaltyObject" ? answers.shift() : undefined;
    const created = await pass(templateId);
    await saveLink(created.id);
    const objectId = objectIdOf(created.serialNumber);
    const inserts = await until(
      () => callsFor(objectId, "insert"),
      (c) => c.length >= 3,
    );
    google.script = () => undefined;
    expect(inserts).toHaveLength(3);
    expect(google.stored.has(`loyaltyObject/${objectId}`)).toBe(true);
    // Retry-After: 1 → the third attempt comes at least a second after the 429.
    expect(inserts[2]!.at - inserts[1]!.at).toBeGreaterThanOrEqual(950);
    expect(inserts[1]!.at - inserts[0]!.at).toBeLessThan(900); // a 500 is retried after a short backoff
  });

  it("inserts an object Google does not know (404 on PATCH)", async () => {
    const { created, objectId } = await syncedPass("missing");
    google.stored.delete(`loyaltyObject/${objectId}`);
    await server.call("PUT", `/v1/pass/${created.id}`, { body: { headers: { barcode_value: { value: "new" } } } });
    const inserts = await until(
      () => callsFor(objectId, "insert"),
      (c) => c.length >= 2,
    );
    expect(inserts).toHaveLength(2);
    expect(callsFor(objectId, "patch").length).toBeGreaterThanOrEqual(1);
    const stored = google.stored.get(`loyaltyObject/${objectId}`) as { barcode: { value: string } };
    expect(stored.barcode.value).toBe("new");
  });

  it("records a rejection (4xx) on the ticket, naming the problem, without retrying", async () => {
    const { created, objectId } = await syncedPass("rejected");
    google.script = (call) =>
      call.action === "patch" && call.id === objectId
        ? { status: 400, body: { error: { code: 400, message: "Invalid barcode.value: too long" } } }
        : undefined;
    const update = await server.call("PUT", `/v1/pass/${created.id}`, {
      body: { headers: { barcode_value: { value: "x" } } },
    });
    const ticket = await until(
      async () => (await server.call("GET", `/v1/ticket/${update.json.ticketId}`)).json,
      (t) => t.errors?.length > 0,
    );
    google.script = () => undefined;
    expect(JSON.stringify(ticket.errors)).toContain("barcode.value");
    await settled();
    expect(callsFor(objectId, "patch")).toHaveLength(1);
  });
});

describe("install callbacks", () => {
  async function callback(body: object) {
    return fetch(`${server.baseUrl}/google/callback`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }
  const message = (objectId: string, eventType: string, nonce: string, expTimeMillis = Date.now() + 60_000) => ({
    classId: "x",
    objectId,
    expTimeMillis,
    eventType,
    nonce,
  });

  it("marks passes installed on save and uninstalled on del; replays, forgeries and expired messages change nothing", async () => {
    const templateId = await template({ ...googleTemplate, name: "callbacks" });
    const created = await pass(templateId);
    const objectId = objectIdOf(created.serialNumber);
    const status = async () => (await server.call("GET", `/v1/pass/${created.id}`)).json;

    const forged = ecv2Signer().signMessage(google.issuerId, message(objectId, "save", "n-forged"));
    expect((await callback(forged)).status).toBe(401);
    const wrongRecipient = signer.signMessage("999", message(objectId, "save", "n-recipient"));
    expect((await callback(wrongRecipient)).status).toBe(401);
    const expired = signer.signMessage(google.issuerId, message(objectId, "save", "n-expired", Date.now() - 1000));
    expect((await callback(expired)).status).toBe(401);
    const oldKey = signer.signMessage(google.issuerId, message(objectId, "save", "n-oldkey"), {
      intermediateExpiresAt: Date.now() - 1000,
    });
    expect((await callback(oldKey)).status).toBe(401);
    const tampered = signer.signMessage(google.issuerId, message(objectId, "save", "n-tampered")) as {
      signedMessage: string;
    };
    tampered.signedMessage = tampered.signedMessage.replace("save", "del");
    expect((await callback(tampered)).status).toBe(401);
    expect((await status()).status).toBe("not_been_installed");

    const save = signer.signMessage(google.issuerId, message(objectId, "save", "n-1"));
    const saved = await callback(save);
    expect(saved.status).toBe(200);
    expect(await status()).toMatchObject({ status: "installed", platform: "android" });

    const del = signer.signMessage(google.issuerId, message(objectId, "del", "n-2"));
    expect((await callback(del)).status).toBe(200);
    expect((await status()).status).toBe("uninstalled");

    // A replayed save (same nonce) is acknowledged and ignored.
    const replay = await callback(save);
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { status: string }).status).toBe("duplicate");
    expect((await status()).status).toBe("uninstalled");
  });
});

describe("credentials", () => {
  it("stores a project's issuer encrypted and validates the key", async () => {
    const own = (await server.call("POST", "/v1/project", { body: { name: "Own issuer", projectType: "memberCard" } }))
      .json.id;
    const bad = await server.call("PUT", `/v1/project/${own}/google/credentials`, {
      body: { issuerId: "123", serviceAccount: { client_email: "a@b.c", private_key: "nope" } },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/private_key/);
    const ok = await server.call("PUT", `/v1/project/${own}/google/credentials`, {
      body: { issuerId: "3388000000099999999", serviceAccount: google.serviceAccount },
    });
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ source: "project", issuerId: "3388000000099999999" });
    const { rows } = await server.database.query<{ service_account_encrypted: Buffer }>(
      "SELECT service_account_encrypted FROM google_credentials WHERE project_id = $1",
      [own],
    );
    expect(rows[0]!.service_account_encrypted.toString("latin1")).not.toContain("PRIVATE KEY");
    expect((await server.call("DELETE", `/v1/project/${own}/google/credentials`)).status).toBe(200);
    await server.call("POST", "/v1/project/id/google-ext", { body: { name: "Ext", projectType: "memberCard" } });
    const byExternal = await server.call("PUT", "/v1/project/id/google-ext/google/credentials", {
      body: { issuerId: "3388000000011111111", serviceAccount: JSON.stringify(google.serviceAccount) },
    });
    expect(byExternal.json).toMatchObject({ source: "project", issuerId: "3388000000011111111" });
    expect((await server.call("GET", "/v1/project/id/google-ext/google/credentials")).json.source).toBe("project");
    expect((await server.call("GET", `/v1/project/${own}/google/credentials`)).json.source).toBe("default");
  });
});

describe("development mode", () => {
  it("without credentials signs structurally valid save links with a development key and calls nothing", async () => {
    const dev = await startTestServer({ worker: true });
    try {
      const project = (await dev.call("POST", "/v1/project", { body: { name: "Dev", projectType: "memberCard" } })).json
        .id;
      // With a rotating barcode: its key must not travel in the link, even a development one.
      const templateId = (
        await dev.call("POST", `/v1/template/${project}`, {
          body: { ...smallGoogleTemplate, headers: { rotatingBarcode: { value: { valueLength: 8 } } } },
        })
      ).json.templateId;
      const created = (await dev.call("POST", `/v1/pass/${templateId}`, { body: {} })).json;
      const response = await fetch(`${dev.baseUrl}/v1/pass/${created.id}/download`, {
        redirect: "manual",
        headers: {
          authorization: `Basic ${Buffer.from(`${dev.credentials.key}:${dev.credentials.secret}`).toString("base64")}`,
        },
      });
      expect(response.status).toBe(302);
      const jwt = response.headers.get("location")!.split("/save/")[1]!;
      const claims = JSON.parse(Buffer.from(jwt.split(".")[1]!, "base64url").toString());
      expect(claims).toMatchObject({
        aud: "google",
        typ: "savetowallet",
        iss: "development@wallet-pass-server.invalid",
      });
      expect(discoveryProblems("LoyaltyObject", claims.payload.loyaltyObjects[0])).toEqual([]);
      expect(JSON.stringify(claims)).not.toContain("totpDetails");
      expect((await dev.call("GET", `/v1/project/${project}/google/credentials`)).json.source).toBe("development");
      expect(dev.app.google.client.calls).toBe(0);
    } finally {
      await dev.close();
    }
  });
});
