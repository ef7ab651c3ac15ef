// Adaptive links over real HTTP: the reference's request examples, lists and external-id forms, the flights
// "multiple" create, and handing out passes — device matrix, personalization, query parameters, nearest
// locations, availablePasses under 50 concurrent requests, expiry.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appleTemplate, googleTemplate } from "../../fixtures/reference.js";
import { startTestServer, type TestServer } from "../../helpers/app.js";
import { unpack } from "../../helpers/apple.js";
import { until } from "../../helpers/wait.js";

let server: TestServer;
let projectId: number;
let iosTemplateId: number;
let androidTemplateId: number;

const UA = {
  iphone:
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
  ipad: "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
  macSafari:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
  android:
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
  desktopChrome:
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  macChrome:
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
  googlebot:
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
};

beforeAll(async () => {
  server = await startTestServer();
  projectId = (
    await server.call("POST", "/v1/project/id/myExternalProject", {
      body: { name: "Links", projectType: "memberCard" },
    })
  ).json.id;
  iosTemplateId = (
    await server.call("POST", `/v1/template/${projectId}/id/ios123ExtId`, {
      body: {
        ...appleTemplate,
        fields: { ...appleTemplate.fields, tier: { fieldType: "secondary", value: "", label: "Tier" } },
      },
    })
  ).json.templateId;
  androidTemplateId = (
    await server.call("POST", `/v1/template/${projectId}/id/android123ExtId`, { body: googleTemplate })
  ).json.templateId;
});
afterAll(() => server.close());

async function link(body: Record<string, unknown>) {
  const response = await server.call("POST", "/v1/links/adaptive", {
    body: { iosTemplateId, androidTemplateId, ...body },
  });
  expect(response.status, response.text).toBe(200);
  return response.json;
}

const open = (path: string, userAgent?: string) =>
  fetch(`${server.baseUrl}${path}`, { redirect: "manual", headers: userAgent ? { "user-agent": userAgent } : {} });

async function serialOf(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/vnd.apple.pkpass");
  return unpack(Buffer.from(await response.arrayBuffer())).passJson.serialNumber as string;
}

describe("the reference's requests", () => {
  it("creates links as the examples do and answers their shape", async () => {
    const examples = [
      {
        isPersonalized: "true",
        iosPassLinkId: "44e128a5-ac7a-4c9a-be4c-224b6bf81b20",
        androidPassLinkId: "19d128a6-ac7a-3c6c-2a4d-214b6bf81b21",
        landingPageUrl: "https://acustomer.com/landing.html",
        availablePasses: 100000,
        payload: {},
      },
      { isPersonalized: "true", expirationDate: "2022-10-01", availablePasses: 100000, ttlInDays: 730, payload: {} },
      { isPersonalized: "true", payload: { fields: { tier: { value: "gold" } } } },
      {
        isPersonalized: "true",
        landingPageUrl: "https://acustomer.com/landing.html",
        availablePasses: 100000,
        ttlInDays: 30,
        parameterEncoding: "base64",
        locationRadius: 10,
        maxResultLocations: 5,
        payload: {},
        locations: [
          { latitude: 45.5898, longitude: -122.5951, city: "Portland", relevantText: "Airport" },
          { latitude: 45.525492, longitude: -122.686092, relevantText: "Welcome to the Ship!", streetAddress2: "" },
          { latitude: 45.5205, longitude: -122.6788, relevantText: "See you at dinner tonight" },
        ],
      },
    ];
    const created = [];
    for (const example of examples) created.push(await link(example));
    expect(created[0]).toMatchObject({
      url: `${server.baseUrl}/v1/pass/adaptive/${created[0].adaptiveLinkId}`,
      iosUrl: `${server.baseUrl}/v1/pass/adaptive/${created[0].adaptiveLinkId}/ios`,
      androidUrl: `${server.baseUrl}/v1/pass/adaptive/${created[0].adaptiveLinkId}/android`,
      landingPageUrl: "https://acustomer.com/landing.html",
      isPersonalized: true,
      isExpired: false,
      availablePasses: 100000,
      ttlInDays: 30,
      iosTemplateId,
      androidTemplateId,
      iosTemplateExternalId: "ios123ExtId",
    });
    expect(created[0].adaptiveLinkId).toMatch(/^[A-Za-z0-9]{11}$/);
    expect(created[1]).toMatchObject({ isExpired: true, expirationDate: "2022-10-01", ttlInDays: 730 });
    expect(created[3]).toMatchObject({ parameterEncoding: "base64", locationRadius: 10, maxResultLocations: 5 });

    const got = await server.call("GET", `/v1/links/adaptive/${created[2].adaptiveLinkId}`);
    expect(got.json).toMatchObject({
      adaptiveLinkId: created[2].adaptiveLinkId,
      payload: { fields: { tier: { value: "gold" } } },
    });

    const updated = await server.call("PUT", `/v1/links/adaptive/${created[2].adaptiveLinkId}`, {
      body: { isPersonalized: "false", landingPageUrl: "https://acustomer.com/landing.html" },
    });
    expect(updated.json).toMatchObject({
      isPersonalized: false,
      landingPageUrl: "https://acustomer.com/landing.html",
      payload: { fields: { tier: { value: "gold" } } },
    });

    const deleted = await server.call("DELETE", `/v1/links/adaptive/${created[1].adaptiveLinkId}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json).toEqual({});
    expect((await server.call("GET", `/v1/links/adaptive/${created[1].adaptiveLinkId}`)).status).toBe(404);
  });

  it("lists links for the account, a project (paged) and a template", async () => {
    for (let i = 0; i < 3; i++) await link({ androidTemplateId: undefined });
    const all = await server.call("GET", "/v1/links/adaptive");
    expect(all.json.links.length).toBeGreaterThanOrEqual(3);
    const first = await server.call("GET", `/v1/links/adaptive/projects/${projectId}?pageSize=2`);
    expect(first.json.links).toHaveLength(2);
    expect(first.json.nextPageToken).toMatch(/^[A-Za-z0-9]+\.\d+$/);
    const second = await server.call(
      "GET",
      `/v1/links/adaptive/projects/${projectId}?pageSize=2&nextPageToken=${first.json.nextPageToken}`,
    );
    const ids = [...first.json.links, ...second.json.links].map((l: { adaptiveLinkId: string }) => l.adaptiveLinkId);
    expect(new Set(ids).size).toBe(ids.length);
    const byTemplate = await server.call(
      "GET",
      `/v1/links/adaptive/projects/${projectId}/templates/${androidTemplateId}`,
    );
    expect(
      byTemplate.json.links.every((l: { androidTemplateId?: number }) => l.androidTemplateId === androidTemplateId),
    ).toBe(true);
    expect((await server.call("GET", "/v1/links/adaptive/projects/999999")).status).toBe(404);
  });

  it("serves the external-id forms", async () => {
    const external = await server.call("GET", "/v1/project/id/myExternalProject");
    expect(external.status, external.text).toBe(200);
    const created = await server.call(
      "POST",
      "/v1/links/adaptive/project/id/myExternalProject/id/coolNewAdaptiveLink",
      {
        body: {
          iosTemplateExternalId: "ios123ExtId",
          androidTemplateExternalId: "android123ExtId",
          isPersonalized: "true",
          landingPageUrl: "https://acustomer.com/landing.html",
          availablePasses: 100000,
          payload: {},
        },
      },
    );
    expect(created.status, created.text).toBe(200);
    expect(created.json).toMatchObject({
      adaptiveLinkExternalId: "coolNewAdaptiveLink",
      iosTemplateId,
      iosTemplateExternalId: "ios123ExtId",
      androidTemplateId,
      androidTemplateExternalId: "android123ExtId",
      projectId: external.json.id,
      projectExternalId: "myExternalProject",
      status: 200,
    });
    const viaNumeric = await server.call(
      "GET",
      `/v1/links/adaptive/project/${external.json.id}/id/coolNewAdaptiveLink`,
    );
    expect(viaNumeric.json.adaptiveLinkId).toBe(created.json.adaptiveLinkId);
    const id = created.json.adaptiveLinkId;
    await open(`/v1/pass/adaptive/${id}/ios?exid=mypass`);
    await open(`/v1/pass/adaptive/${id}/android?exid=mypass`);
    const passes = await server.call(
      "GET",
      "/v1/links/adaptive/project/id/myExternalProject/id/coolNewAdaptiveLink/passes/id/mypass",
    );
    expect(passes.status).toBe(200);
    expect(passes.json.passes).toHaveLength(2);
    expect(passes.json.passes[0]).toMatchObject({ externalId: "mypass" });
    const update = await server.call("PUT", `/v1/links/adaptive/${id}/passes/id/mypass`, {
      body: { fields: { Coupon: { value: "50%" } } },
    });
    expect(update.status, update.text).toBe(200);
    expect(update.json.tickets).toHaveLength(2);
    expect(update.json.tickets[0].id).toBeGreaterThan(0);
    const ticket = await server.call("GET", `/v1/ticket/${update.json.tickets[0].id}`);
    expect(ticket.status).toBe(200);
    const listed = await server.call("GET", `/v1/links/adaptive/${id}/passes`);
    expect(listed.json.count).toBe(2);
    expect(listed.json.pagination).toMatchObject({ order: "id", direction: "DESC", page: 1, pageSize: 10 });
    const form = "/v1/links/adaptive/project/id/myExternalProject/id/coolNewAdaptiveLink";
    expect((await server.call("GET", `${form}/passes`)).json.count).toBe(2);
    const renamed = await server.call("PUT", form, { body: { landingPageUrl: "https://example.com/new" } });
    expect(renamed.json).toMatchObject({ adaptiveLinkId: id, landingPageUrl: "https://example.com/new" });
    expect((await server.call("DELETE", form)).status).toBe(200);
    expect((await server.call("GET", `/v1/links/adaptive/${id}`)).status).toBe(404);
  });

  it("rejects bad links with a named 400, and unknown templates with a 404", async () => {
    const bad = await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: androidTemplateId } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/Google template/);
    expect((await server.call("POST", "/v1/links/adaptive", { body: {} })).status).toBe(400);
    // A payload is kept for every pass and shown in every list: at most 64 KiB of JSON.
    const links = (await server.database.query("SELECT count(*) FROM adaptive_links")).rows;
    const heavy = await server.call("POST", "/v1/links/adaptive", {
      body: { iosTemplateId, payload: { fields: { Coupon: { value: "x".repeat(70_000) } } } },
    });
    expect(heavy.status).toBe(400);
    expect(heavy.json.details[0]).toMatch(/a link keeps at most 65536/);
    expect((await server.database.query("SELECT count(*) FROM adaptive_links")).rows).toEqual(links);
    expect((await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: 99999999 } })).status).toBe(404);
    for (const payload of [
      { flights: [{ flightId: "x", passengers: [] }] },
      { flights: [{ passengers: "everyone" }] },
      { events: [{ attendees: [], fields: 3 }] },
      { flights: [{ passengers: [], passGroups: "g" }] },
    ]) {
      const multiple = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
        body: { iosTemplateId, payload },
      });
      expect(multiple.status, JSON.stringify(payload)).toBe(400);
    }
    const other = await server.newAccount("other");
    expect((await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId }, as: other })).status).toBe(404);
  });
});

describe("a link's project", () => {
  it("refuses templates of another project, on create and update, by id and external id, also to a project-limited key", async () => {
    const other = (
      await server.call("POST", "/v1/project/id/other-links", { body: { name: "Other", projectType: "memberCard" } })
    ).json.id;
    const foreign = (await server.call("POST", `/v1/template/${other}/id/foreign-ios`, { body: appleTemplate })).json
      .templateId;
    const links = async () =>
      (await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM adaptive_links")).rows[0]!.n;
    const before = await links();
    for (const body of [{ iosTemplateId: foreign }, { iosTemplateExternalId: "foreign-ios" }]) {
      const refused = await server.call("POST", `/v1/links/adaptive/project/${projectId}/id/xlink`, { body });
      expect(refused.status, refused.text).toBe(400);
      expect(refused.json.code).toBe("VALIDATION_FAILED");
      expect(refused.json.details[0]).toMatch(/template \d+ belongs to project \d+, not to the link's project/);
    }
    // One link, two projects: which one would it live in?
    const mixed = await server.call("POST", "/v1/links/adaptive", {
      body: { iosTemplateId: foreign, androidTemplateId },
    });
    expect(mixed.status).toBe(400);
    expect(await links()).toBe(before);
    // An existing link cannot be pointed at another project's template either.
    const link = (
      await server.call("POST", `/v1/links/adaptive/project/${projectId}/id/own-link`, { body: { iosTemplateId } })
    ).json;
    const moved = await server.call("PUT", `/v1/links/adaptive/${link.adaptiveLinkId}`, {
      body: { iosTemplateId: foreign },
    });
    expect(moved.status).toBe(400);
    expect((await server.call("GET", `/v1/links/adaptive/${link.adaptiveLinkId}`)).json.iosTemplateId).toBe(
      iosTemplateId,
    );
    // A key limited to this project cannot reach the other project's template through a link.
    const limited = await server.app.apiKeys.create("links only here", server.credentials.accountId, { projectId });
    const viaLimited = await server.call("POST", `/v1/links/adaptive/project/${projectId}/id/limited-xlink`, {
      body: { iosTemplateId: foreign },
      as: { ...limited, accountId: server.credentials.accountId },
    });
    expect(viaLimited.status).toBe(400);
    expect(await links()).toBe(before + 1);
  });
});

describe("boarding passes", () => {
  it("creates one link per passenger, and a flight update reaches every passenger's pass", async () => {
    const flight = {
      flightExternalId: "flight123ExtId",
      fields: { Coupon: { value: "Flight 815" }, InStore: { label: "Gate", value: "25" } },
      passengers: [
        {
          adaptiveLinkExternalId: "pax1",
          fields: { SiteAddress: { value: "13A" }, barcode_value: { value: "12345" } },
        },
        { adaptiveLinkExternalId: "pax2", fields: { SiteAddress: { value: "13B" } } },
        { adaptiveLinkExternalId: "pax2", fields: { SiteAddress: { value: "13C" } } },
      ],
      passGroups: ["sfo-pdx-20180730"],
    };
    const created = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
      body: {
        iosTemplateExternalId: "ios123ExtId",
        androidTemplateExternalId: "android123ExtId",
        payload: { flights: [flight] },
      },
    });
    expect(created.status, created.text).toBe(200);
    expect(created.json.links).toHaveLength(3);
    expect(created.json.links[0]).toMatchObject({
      status: 200,
      adaptiveLinkExternalId: "pax1",
      flightExternalId: "flight123ExtId",
    });
    expect(created.json.links[1].adaptiveLinkId).toBe(created.json.links[2].adaptiveLinkId);
    const first = await open(`/v1/pass/adaptive/${created.json.links[0].adaptiveLinkId}/ios`);
    const before = unpack(Buffer.from(await first.arrayBuffer())).passJson;
    expect(JSON.stringify(before)).toContain("Flight 815");
    await open(`/v1/pass/adaptive/${created.json.links[1].adaptiveLinkId}/ios`);

    const moved = await server.call("POST", `/v1/links/adaptive/multiple/project/${projectId}`, {
      body: {
        iosTemplateExternalId: "ios123ExtId",
        payload: {
          flights: [
            { flightExternalId: "flight123ExtId", fields: { InStore: { label: "Gate", value: "31" } }, passengers: [] },
          ],
        },
      },
    });
    expect(moved.status).toBe(200);
    // The passes follow through a ticket the job worker runs.
    await server.startWorker();
    for (const l of created.json.links.slice(0, 2)) {
      const gate = await until(
        async () => {
          const again = await open(`/v1/pass/adaptive/${l.adaptiveLinkId}/ios`);
          const json = unpack(Buffer.from(await again.arrayBuffer())).passJson as {
            storeCard: { secondaryFields: Array<{ key: string; value: string }> };
          };
          return json.storeCard.secondaryFields.find((f) => f.key === "InStore")?.value;
        },
        (value) => value === "31",
      );
      expect(gate).toBe("31");
    }
  });
});

describe("multiple links, passenger by passenger", () => {
  it("answers each passenger's own status: the good ones made, the bad ones named, by project id or external id", async () => {
    const before = (await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM adaptive_links"))
      .rows[0]!.n;
    const answer = await server.call("POST", "/v1/links/adaptive/multiple/project/id/myExternalProject", {
      body: {
        iosTemplateId,
        payload: {
          events: [
            {
              fields: { eventName: { value: "Concert" } },
              attendees: [
                { adaptiveLinkExternalId: "att-ok-1", fields: { seat: { value: "11" } } },
                { adaptiveLinkExternalId: "att-bad", fields: 3 },
                null,
                { adaptiveLinkExternalId: 7 },
                { fields: { seat: { value: "13" } } },
              ],
            },
          ],
        },
      },
    });
    expect(answer.status, answer.text).toBe(200);
    const links = answer.json.links as Array<Record<string, unknown>>;
    expect(links.map((l) => l.status)).toEqual([200, 400, 400, 400, 200]);
    expect(links[0]).toMatchObject({ adaptiveLinkExternalId: "att-ok-1", eventId: expect.any(Number) });
    expect(links[1]).toMatchObject({
      adaptiveLinkExternalId: "att-bad",
      code: "VALIDATION_FAILED",
      error: "payload.events[0].attendees[1].fields must be an object",
    });
    expect(links[2]!.error).toBe("payload.events[0].attendees[2] must be an object");
    expect(links[3]!.error).toContain("adaptiveLinkExternalId must be a string");
    expect(links[4]!.adaptiveLinkId).toEqual(expect.any(String));
    const after = (await server.database.query<{ n: number }>("SELECT count(*)::int AS n FROM adaptive_links")).rows[0]!
      .n;
    expect(after).toBe(before + 2);
    const unknown = await server.call("POST", "/v1/links/adaptive/multiple/project/id/no-such-project", {
      body: { iosTemplateId, payload: { events: [{ attendees: [] }] } },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.json.code).toBe("PROJECT_NOT_FOUND");
  });
});

describe("handing out passes", () => {
  it("gives each device the right thing", async () => {
    const { adaptiveLinkId: id } = await link({});
    const expectations: Array<[string, "pkpass" | "google" | "landing"]> = [
      [UA.iphone, "pkpass"],
      [UA.ipad, "pkpass"],
      [UA.macSafari, "pkpass"],
      [UA.android, "google"],
      [UA.desktopChrome, "landing"],
      [UA.macChrome, "landing"],
      [UA.googlebot, "landing"],
    ];
    for (const [userAgent, expected] of expectations) {
      const response = await open(`/v1/pass/adaptive/${id}`, userAgent);
      if (expected === "pkpass") await serialOf(response);
      else if (expected === "google") {
        expect(response.status).toBe(302);
        expect(response.headers.get("location")).toMatch(/^https:\/\/pay\.google\.com\/gp\/v\/save\//);
      } else {
        expect(response.status).toBe(200);
        expect(response.headers.get("content-type")).toContain("text/html");
        expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
        const html = await response.text();
        expect(html).toContain(`/v1/pass/adaptive/${id}/ios`);
        expect(html).toContain(`/v1/pass/adaptive/${id}/android`);
      }
    }
    // A platform the link has no template for: the landing page URL when set.
    const iosOnly = await link({ androidTemplateId: undefined, landingPageUrl: "https://example.com/welcome" });
    const android = await open(`/v1/pass/adaptive/${iosOnly.adaptiveLinkId}`, UA.android);
    expect(android.status).toBe(302);
    expect(android.headers.get("location")).toBe("https://example.com/welcome");
  });

  it("hands out one pass for a non-personalized link, a new one for a personalized link or field parameters", async () => {
    const shared = await link({});
    const a = await serialOf(await open(`/v1/pass/adaptive/${shared.adaptiveLinkId}/ios`));
    const b = await serialOf(await open(`/v1/pass/adaptive/${shared.adaptiveLinkId}/ios`));
    expect(a).toBe(b);
    const withField = await serialOf(await open(`/v1/pass/adaptive/${shared.adaptiveLinkId}/ios?tier=silver`));
    expect(withField).not.toBe(a);
    const personal = await link({ isPersonalized: true });
    const c = await serialOf(await open(`/v1/pass/adaptive/${personal.adaptiveLinkId}/ios`));
    const d = await serialOf(await open(`/v1/pass/adaptive/${personal.adaptiveLinkId}/ios`));
    expect(c).not.toBe(d);
  });

  it("applies barcode, barcodeAltText, tags, exid, field parameters and the nearest locations", async () => {
    const locations = Array.from({ length: 14 }, (_, i) => ({
      latitude: 45 + i * 0.01,
      longitude: -122,
      relevantText: `L${i}`,
    }));
    const created = await link({ isPersonalized: true, locations, payload: { fields: { tier: { value: "gold" } } } });
    const response = await open(
      `/v1/pass/adaptive/${created.adaptiveLinkId}/ios?barcode=ABC123&tags=vip~early&exid=member-7&tier=platinum&lat=45.1&long=-122`,
    );
    const json = unpack(Buffer.from(await response.arrayBuffer())).passJson as Record<string, unknown>;
    expect(json.barcodes).toEqual([
      { format: "PKBarcodeFormatQR", message: "ABC123", messageEncoding: "iso-8859-1", altText: "ABC123" },
    ]);
    const locs = json.locations as Array<{ relevantText: string }>;
    expect(locs).toHaveLength(10);
    expect(locs[0]!.relevantText).toBe("L10"); // 45.10 is the closest
    const secondary = (json.storeCard as { secondaryFields: Array<{ key: string; value: string }> }).secondaryFields;
    expect(secondary.find((f) => f.key === "tier")?.value).toBe("platinum");
    const { rows } = await server.database.query<{ external_id: string; tags: string[] }>(
      `SELECT p.external_id, array_agg(t.name ORDER BY t.name) AS tags FROM passes p
         JOIN pass_tags pt ON pt.pass_id = p.id JOIN tags t ON t.id = pt.tag_id
        WHERE p.adaptive_link_id = $1 GROUP BY p.external_id`,
      [created.adaptiveLinkId],
    );
    expect(rows).toEqual([{ external_id: "member-7", tags: ["early", "vip"] }]);
    // Within a radius and a maximum of results.
    const near = await link({ isPersonalized: true, locations, locationRadius: 3, maxResultLocations: 2 });
    const nearJson = unpack(
      Buffer.from(await (await open(`/v1/pass/adaptive/${near.adaptiveLinkId}/ios?lat=45&long=-122`)).arrayBuffer()),
    ).passJson;
    expect((nearJson.locations as Array<{ relevantText: string }>).map((l) => l.relevantText)).toEqual(["L0", "L1"]);
    // base64 parameter encoding
    const encoded = await link({ isPersonalized: true, parameterEncoding: "base64" });
    const encodedJson = unpack(
      Buffer.from(
        await (
          await open(`/v1/pass/adaptive/${encoded.adaptiveLinkId}/ios?barcode=${Buffer.from("XYZ").toString("base64")}`)
        ).arrayBuffer(),
      ),
    ).passJson as { barcodes: Array<{ message: string }> };
    expect(encodedJson.barcodes[0]!.message).toBe("XYZ");
  });

  it("hands 50 concurrent first visitors of a non-personalized link the same single pass", async () => {
    const shared = await link({});
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => open(`/v1/pass/adaptive/${shared.adaptiveLinkId}/ios`)),
    );
    const serials = await Promise.all(responses.map(serialOf));
    expect(new Set(serials).size).toBe(1);
    const { rows } = await server.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM passes WHERE adaptive_link_id = $1",
      [shared.adaptiveLinkId],
    );
    expect(rows[0]!.n).toBe(1);
    expect((await server.call("GET", `/v1/links/adaptive/${shared.adaptiveLinkId}`)).json.availablePasses).toBe(
      999_999,
    );
  });

  it("never hands out more passes than availablePasses, even to 50 concurrent requests", async () => {
    const limited = await link({ isPersonalized: true, availablePasses: 10 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => open(`/v1/pass/adaptive/${limited.adaptiveLinkId}/ios`)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 410)).toHaveLength(40);
    const { rows } = await server.database.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM passes WHERE adaptive_link_id = $1",
      [limited.adaptiveLinkId],
    );
    expect(rows[0]!.n).toBe(10);
    expect((await server.call("GET", `/v1/links/adaptive/${limited.adaptiveLinkId}`)).json.availablePasses).toBe(0);
    const gone = await open(`/v1/pass/adaptive/${limited.adaptiveLinkId}/ios`);
    expect(gone.status).toBe(410);
    expect(((await gone.json()) as { code: string }).code).toBe("LINK_EXHAUSTED");
  });

  it("answers an expired link with 410 (the landing page for browsers), never a pass", async () => {
    const expired = await link({ expirationDate: "2020-01-01" });
    const ios = await open(`/v1/pass/adaptive/${expired.adaptiveLinkId}/ios`);
    expect(ios.status).toBe(410);
    expect(((await ios.json()) as { code: string }).code).toBe("LINK_EXPIRED");
    const browser = await open(`/v1/pass/adaptive/${expired.adaptiveLinkId}`, UA.desktopChrome);
    expect(browser.status).toBe(410);
    expect(await browser.text()).toContain("expired");
    expect((await open("/v1/pass/adaptive/doesNotExist1/ios")).status).toBe(404);
  });
});
