// Property: bad input to the template, pass, tag and ticket routes gets a 4xx with the JSON error shape and
// writes nothing (no row in any table, no queued job).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { KNOWN_HEADERS } from "../../src/domain/known-headers.js";
import { appleTemplate, googleTemplate } from "../fixtures/reference.js";
import { type Credentials, isJsonError, startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let other: Credentials;
let projectId: number;
let appleId: number;
let googleId: number;
let passId: number;
let foreignPassId: number;
let foreignTemplateId: number;

beforeAll(async () => {
  server = await startTestServer();
  other = await server.newAccount("other");
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Fuzz", projectType: "memberCard" } })).json.id;
  appleId = (await server.call("POST", `/v1/template/${projectId}`, { body: appleTemplate })).json.templateId;
  googleId = (await server.call("POST", `/v1/template/${projectId}`, { body: googleTemplate })).json.templateId;
  passId = (await server.call("POST", `/v1/pass/${appleId}/id/fz`, { body: { tags: ["t"] } })).json.id;
  const theirProject = (
    await server.call("POST", "/v1/project", { body: { name: "Theirs", projectType: "coupon" }, as: other })
  ).json.id;
  foreignTemplateId = (await server.call("POST", `/v1/template/${theirProject}`, { body: appleTemplate, as: other }))
    .json.templateId;
  foreignPassId = (await server.call("POST", `/v1/pass/${foreignTemplateId}`, { body: {}, as: other })).json.id;
});
afterAll(() => server.close());

async function snapshot(): Promise<string> {
  const { rows } = await server.database.query(
    `SELECT (SELECT json_agg(t ORDER BY id) FROM templates t) AS templates,
            (SELECT json_agg(p ORDER BY id) FROM passes p) AS passes,
            (SELECT json_agg(l ORDER BY id) FROM locations l) AS locations,
            (SELECT json_agg(g ORDER BY id) FROM tags g) AS tags,
            (SELECT json_agg(pt ORDER BY pass_id, tag_id) FROM pass_tags pt) AS pass_tags,
            (SELECT count(*) FROM tickets) AS tickets,
            (SELECT count(*) FROM graphile_worker.jobs) AS jobs`,
  );
  return JSON.stringify(rows[0]);
}

async function expectRejected(method: string, path: string, body?: unknown, raw?: string): Promise<void> {
  const before = await snapshot();
  const res = await server.call(method, path, { body: raw === undefined ? body : undefined, rawBody: raw });
  const label = `${method} ${path} ${raw ?? JSON.stringify(body)?.slice(0, 200)}`;
  expect(res.status, `${label} → ${res.text.slice(0, 200)}`).toBeGreaterThanOrEqual(400);
  expect(res.status, label).toBeLessThan(500);
  expect(isJsonError(res), `${label} → ${res.text.slice(0, 200)}`).toBe(true);
  expect(await snapshot(), label).toBe(before);
}

const runs = { numRuns: 50 };
// Never null nor an empty array: those read as "not given", which is valid.
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }));
const badId = fc.oneof(
  fc.constantFrom("0", "99999999", "2147483648", "123456789012345678", "FOREIGN"),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter(
      (s) => !/^\d+$/.test(s) && !["id", "headers", "duplicate", "template", ".", ".."].includes(s) && s.trim() !== "",
    ),
);

describe("template, pass, tag and ticket routes", () => {
  it("reject ids that are not the caller's", async () => {
    const routes = [
      ["GET", "/v1/template/:t"],
      ["PUT", "/v1/template/:t"],
      ["DELETE", "/v1/template/:t"],
      ["POST", "/v1/template/duplicate/:t"],
      ["POST", "/v1/template/:t/locations"],
      ["GET", "/v1/template/:t/passes"],
      ["PUT", "/v1/template/:t/passes"],
      ["POST", "/v1/template/:t/personalization"],
      ["POST", "/v1/pass/:t"],
      ["GET", "/v1/pass/:p"],
      ["PUT", "/v1/pass/:p"],
      ["DELETE", "/v1/pass/:p"],
      ["POST", "/v1/pass/:p/locations"],
      ["PUT", "/v1/pass/:p/tags"],
      ["PUT", "/v1/tag/x/pass/:p"],
      ["GET", "/v1/ticket/:p"],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), badId, async ([method, template], id) => {
        const resolved =
          id === "FOREIGN"
            ? String(template.includes(":t") ? foreignTemplateId : foreignPassId)
            : encodeURIComponent(id);
        const path = template.replace(/:[tp]/, resolved);
        const body =
          method === "GET" || method === "DELETE"
            ? undefined
            : path.includes("/locations")
              ? { locations: [{ latitude: 1, longitude: 2 }] }
              : path.includes("/tags")
                ? { tags: ["a"] }
                : path.includes("personalization")
                  ? { requiredPersonalizationFields: ["name"], description: "d" }
                  : method === "PUT" && path.includes("/template/") && !path.endsWith("/passes")
                    ? appleTemplate
                    : { fields: { Coupon: { value: "1" } } };
        await expectRejected(method, path, body);
      }),
      runs,
    );
  });

  it("reject bad template bodies", async () => {
    const badTemplate = fc.oneof(
      fc.record({ name: wrongType, vendor: fc.constant("Apple") }),
      fc.record({
        name: fc.constant("x"),
        vendor: fc.string({ maxLength: 8 }).filter((s) => !["apple", "google"].includes(s.toLowerCase())),
      }),
      fc.record({
        name: fc.constant("x"),
        headers: fc.oneof(
          wrongType,
          fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), wrongType, { minKeys: 1, maxKeys: 3 }),
        ),
      }),
      fc.record({
        name: fc.constant("x"),
        fields: fc.dictionary(
          fc.string({ minLength: 1, maxLength: 8 }),
          fc.record({
            fieldType: fc
              .string({ maxLength: 6 })
              .filter((s) => !["header", "primary", "secondary", "auxiliary", "back"].includes(s.toLowerCase())),
          }),
          { minKeys: 1, maxKeys: 3 },
        ),
      }),
      fc.record({
        name: fc.constant("x"),
        headers: fc.record({
          background_color: fc.record({
            value: fc.string({ maxLength: 12 }).filter((s) => s.trim() !== "" && !/^(rgb|#)/i.test(s.trim())),
          }),
        }),
      }),
      fc.record({
        name: fc.constant("x"),
        expiryDuration: fc.oneof(fc.integer({ max: 0 }), fc.string(), fc.double({ min: 0.1, max: 0.9, noNaN: true })),
      }),
      fc.record({
        name: fc.constant("x"),
        locations: fc.array(
          fc.record({ latitude: fc.double({ min: 90.001, max: 1e6, noNaN: true }), longitude: fc.constant(0) }),
          { minLength: 1, maxLength: 2 },
        ),
      }),
      fc.oneof(fc.array(fc.integer(), { maxLength: 3 }), fc.string(), fc.integer()),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(`/v1/template/${projectId}`, `/v1/template/${projectId}/id/fz-new`),
        badTemplate,
        (path, body) => expectRejected("POST", path, body),
      ),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(badTemplate, (body) => expectRejected("PUT", `/v1/template/${appleId}`, body)),
      runs,
    );
  });

  it("reject bad pass bodies on create and update", async () => {
    const knownNames = new Set([...Object.keys(appleTemplate.fields), ...Object.keys(appleTemplate.headers)]);
    const unknownName = fc
      .string({ minLength: 1, maxLength: 12 })
      .filter((s) => !knownNames.has(s) && !KNOWN_HEADERS.has(s) && s !== "__proto__");
    const badPass = fc.oneof(
      fc.record({ fields: fc.dictionary(unknownName, fc.record({ value: fc.string() }), { minKeys: 1, maxKeys: 3 }) }),
      fc.record({ fields: fc.oneof(wrongType, fc.record({ Coupon: wrongType })) }),
      fc.record({
        headers: fc.record({
          expirationDate: fc.record({
            value: fc.string({ maxLength: 10 }).filter((s) => s.trim() !== "" && !/^\d{4}-/.test(s)),
          }),
        }),
      }),
      fc.record({
        headers: fc.record({
          foreground_color: fc.record({
            value: fc.oneof(fc.integer(), fc.constantFrom("red", "rgb(1,2)", "rgb(256,0,0)")),
          }),
        }),
      }),
      fc.record({
        locations: fc.oneof(
          wrongType.filter((v) => v !== null),
          fc.array(
            fc.record({ latitude: fc.string({ minLength: 1, maxLength: 4 }).filter((s) => Number.isNaN(Number(s))) }),
            { minLength: 1, maxLength: 2 },
          ),
        ),
      }),
      fc.record({ locations: fc.constant(Array.from({ length: 11 }, () => ({ latitude: 1, longitude: 1 }))) }),
      fc.record({
        beacons: fc.oneof(
          fc.integer(),
          fc.array(fc.record({ uuid: fc.string({ maxLength: 10 }) }), { minLength: 1, maxLength: 2 }),
        ),
      }),
      fc.record({
        tags: fc.oneof(fc.integer(), fc.array(fc.oneof(fc.integer(), fc.constant("")), { minLength: 1, maxLength: 3 })),
      }),
      fc.record({
        publicUrl: fc.oneof(
          fc.integer(),
          fc.record({
            type: fc.string({ maxLength: 6 }).filter((s) => !["single", "multiple"].includes(s.toLowerCase())),
          }),
        ),
      }),
      fc.oneof(fc.array(fc.integer(), { maxLength: 3 }), fc.string(), fc.integer(), fc.constant(null)),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          ["POST", `/v1/pass/${appleId}`],
          ["POST", "/v1/pass/id/fz-tpl-missing"],
          ["PUT", `/v1/pass/${passId}`],
          ["PUT", "/v1/pass/id/fz"],
          ["PUT", `/v1/template/${appleId}/passes`],
        ),
        badPass,
        ([method, path], body) => expectRejected(method, path, body),
      ),
      runs,
    );
    // Google passes: beacons and non-numeric points are refused.
    await expectRejected("POST", `/v1/pass/${googleId}`, {
      beacons: [{ uuid: "55502220-A123-A88A-F321-555A444B333C" }],
    });
    await expectRejected("POST", `/v1/pass/${googleId}`, { fields: { Points: { value: "many" } } });
  });

  it("reject malformed JSON and bad list queries", async () => {
    for (const [method, path] of [
      ["POST", `/v1/template/${projectId}`],
      ["PUT", `/v1/template/${appleId}`],
      ["POST", `/v1/pass/${appleId}`],
      ["PUT", `/v1/pass/${passId}`],
      ["PUT", `/v1/template/${appleId}/passes`],
    ] as const) {
      await expectRejected(method, path, undefined, '{"fields": ');
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("/v1/pass", `/v1/template/${appleId}/passes`, "/v1/tag/t/passes"),
        fc.oneof(
          fc.constantFrom(
            "status=installedd",
            "status=",
            "templateId=abc",
            "pageSize=0",
            "order=serialNumber",
            "direction=up",
            "page=-2",
          ),
          fc
            .string({ minLength: 1, maxLength: 8 })
            .filter((s) => !["installed", "uninstalled", "been_installed", "not_been_installed"].includes(s))
            .map((s) => `status=${encodeURIComponent(s)}`),
        ),
        (path, query) => expectRejected("GET", `${path}?${query}`),
      ),
      runs,
    );
  });
});
