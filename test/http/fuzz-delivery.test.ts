// Property: arbitrary bodies and parameters sent to the delivery routes (adaptive links, certificates, Google
// issuers, the PassKit web service, Google callbacks, Badge) get a 4xx with the JSON error shape — never a 5xx —
// and write nothing. (A link's partial update accepts {}: it is checked with bad values only.)
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appleTemplate } from "../fixtures/reference.js";
import { isJsonError, startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let projectId: number;
let linkId: string;

beforeAll(async () => {
  server = await startTestServer();
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Fuzz delivery", projectType: "memberCard" } }))
    .json.id;
  const templateId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  linkId = (
    await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: templateId, availablePasses: 3 } })
  ).json.adaptiveLinkId;
});
afterAll(() => server.close());

async function snapshot(): Promise<string> {
  const { rows } = await server.database.query(
    `SELECT (SELECT json_agg(l ORDER BY id) FROM adaptive_links l) AS links,
            (SELECT count(*) FROM passes) AS passes,
            (SELECT count(*) FROM apple_identities WHERE kind = 'project') AS identities,
            (SELECT count(*) FROM google_credentials WHERE kind = 'project') AS issuers,
            (SELECT count(*) FROM badge_users) AS users,
            (SELECT count(*) FROM apple_registrations) AS registrations`,
  );
  return JSON.stringify(rows[0]);
}

const junk = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.record({
    iosTemplateId: fc.oneof(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 0 }), fc.constant(2 ** 40)),
    availablePasses: fc.oneof(fc.integer({ max: -1 }), fc.string({ maxLength: 4 }), fc.double()),
    expirationDate: fc.string({ maxLength: 12 }),
  }),
  fc.record({ passTemplateId: fc.constant("nope"), user: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ certificate: fc.string({ maxLength: 60 }), password: fc.string({ maxLength: 8 }) }),
  fc.record({ issuerId: fc.string({ maxLength: 12 }), serviceAccount: fc.jsonValue({ maxDepth: 2 }) }),
  fc.record({ passId: fc.string({ maxLength: 8 }), message: fc.oneof(fc.string({ maxLength: 10 }), fc.integer()) }),
);

const routes = () => [
  ["POST", "/v1/links/adaptive"],
  ["POST", `/v1/links/adaptive/multiple/project/${projectId}`],
  ["PUT", `/v1/project/${projectId}/apple/certificate`],
  ["PUT", `/v1/project/${projectId}/google/credentials`],
  ["POST", "/v0/rpc/userPassUpsert"],
  ["POST", "/v0/rpc/passSendPushNotification"],
  ["POST", "/apple/v1/devices/dev1/registrations/pass.x/serial"],
  ["POST", "/apple/v1/log"],
  ["POST", "/apple/v1/passes/pass.x/serial/personalize"],
  ["POST", "/google/callback"],
];

describe("delivery routes", () => {
  it("answer junk bodies with a JSON 4xx and write nothing", async () => {
    const before = await snapshot();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: routes().length - 1 }), junk, async (index, body) => {
        const [method, path] = routes()[index]!;
        const response = await server.call(method!, path!, {
          body,
          headers: { authorization: `Bearer ${server.credentials.secret}`, "api-revision": "1.2" },
        });
        // A valid-looking Badge upsert of a real template could succeed; none of these bodies names one.
        expect(response.status, `${method} ${path} ${JSON.stringify(body)} → ${response.text}`).toBeGreaterThanOrEqual(
          400,
        );
        expect(response.status).toBeLessThan(500);
        expect(isJsonError(response)).toBe(true);
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 150) },
    );
    expect(await snapshot()).toBe(before);
  });

  it("reject a partial link update with bad values, changing nothing", async () => {
    const before = await snapshot();
    for (const body of [
      { availablePasses: -1 },
      { isPersonalized: "maybe" },
      { expirationDate: "soon" },
      { landingPageUrl: "javascript:alert(1)" },
      { locations: [{ latitude: 200, longitude: 0 }] },
      { iosTemplateId: "x" },
      [],
      "text",
    ]) {
      const response = await server.call("PUT", `/v1/links/adaptive/${linkId}`, { body });
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(isJsonError(response)).toBe(true);
    }
    expect(await snapshot()).toBe(before);
  });

  it("answer odd pass-link parameters with a pass or a 4xx, never a 5xx", async () => {
    const value = fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("abc", "-91", "1e9", "NaN", "~~", "%%"));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("ios", "android", "web"),
        fc.dictionary(fc.constantFrom("lat", "long", "barcode", "tags", "exid", "Coupon", "unknownField"), value, {
          maxKeys: 4,
        }),
        async (device, query) => {
          const search = new URLSearchParams(query).toString();
          const response = await fetch(`${server.baseUrl}/v1/pass/adaptive/${linkId}/${device}?${search}`, {
            redirect: "manual",
          });
          expect(response.status, `${device}?${search}`).toBeLessThan(500);
        },
      ),
      { numRuns: 40 },
    );
  });
});
