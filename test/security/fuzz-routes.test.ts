// Property over every route the server has (walked from its own route table, so a new route is fuzzed the day it
// lands): hostile path ids, query parameters and bodies never get a 5xx; every 4xx is the JSON error shape; and a
// request that is refused changes nothing in the store.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appleTemplate, googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { type StoreDigest, storeDigest } from "../helpers/store-digest.js";

let server: TestServer;
let routes: { method: string; path: string }[] = [];
let digest: StoreDigest;
const known: Record<string, string[]> = {};

beforeAll(async () => {
  server = await startTestServer();
  const project = (await server.call("POST", "/v1/project/id/fz", { body: { name: "Fuzz", projectType: "loyalty" } }))
    .json;
  const apple = (await server.call("POST", `/v1/template/${project.id}`, { body: appleTemplate })).json.templateId;
  const google = (await server.call("POST", `/v1/template/${project.id}`, { body: googleTemplate })).json.templateId;
  const pass = (await server.call("POST", `/v1/pass/${apple}/id/fz-pass`, { body: { tags: ["fz"] } })).json.id;
  const link = (
    await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: apple, androidTemplateId: google } })
  ).json.adaptiveLinkId;
  const passJson = (await server.call("GET", `/v1/pass/${pass}/viewJSONPass`)).json;
  Object.assign(known, {
    id: [String(project.id), String(apple), String(pass)],
    projectId: [String(project.id)],
    templateId: [String(apple), String(google)],
    externalId: ["fz", "fz-pass"],
    linkId: [link],
    tag: ["fz"],
    passTypeIdentifier: [passJson.passTypeIdentifier],
    serialNumber: [passJson.serialNumber],
  });
  // The route table, as the OpenAPI document has it, plus the hidden routes.
  const document = server.app.http.swagger() as { paths: Record<string, Record<string, unknown>> };
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const method of Object.keys(methods)) routes.push({ method: method.toUpperCase(), path });
  }
  routes.push({ method: "GET", path: "/health" }, { method: "GET", path: "/images/{file}" });
  routes = routes.filter((r) => r.method !== "HEAD");
  digest = await storeDigest(server.database);
});
afterAll(() => server.close());

const hostileText = fc.oneof(
  fc.constantFrom(
    "a\u0000b",
    "\u0000",
    "1e300",
    "2147483648",
    "99999999999999999999",
    "-1",
    "0",
    "0x1f",
    "NaN",
    " 1",
    "..",
    "%",
    "x".repeat(300),
    "例え",
    "<script>",
    "'; DROP TABLE passes; --",
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 6 }),
);

/** A path segment: a real id of the right kind, or something hostile. Lone surrogates go raw, percent-encoded. */
const segment = (name: string) =>
  fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...(known[name] ?? ["1"])).map(encodeURIComponent) },
    { weight: 3, arbitrary: hostileText.map(encode) },
    { weight: 1, arbitrary: fc.constantFrom("%ED%A0%80", "%C0%AE", "%FF") },
  );

function encode(text: string): string {
  return /[\uD800-\uDFFF]/.test(text) ? "%ED%A0%80" : encodeURIComponent(text);
}

const QUERY_KEYS = [
  "page",
  "pageSize",
  "order",
  "direction",
  "status",
  "expiry",
  "tags",
  "exid",
  "barcode",
  "barcodeAltText",
  "lat",
  "long",
  "Coupon",
  "nextPageToken",
  "passesUpdatedSince",
  "api_key",
  "api%5Fkey",
  "json",
];
const query = fc.dictionary(fc.constantFrom(...QUERY_KEYS), hostileText, { maxKeys: 3 });

const hostileObject = fc.oneof(
  fc.record({ name: hostileText, projectType: fc.constantFrom("loyalty", "x"), description: hostileText }),
  fc.record({ fields: fc.dictionary(hostileText, fc.record({ value: hostileText, label: hostileText })) }),
  fc.record({ headers: fc.dictionary(hostileText, fc.record({ value: hostileText })) }),
  fc.record({ tags: fc.array(hostileText, { maxLength: 20 }) }),
  fc.record({ locations: fc.array(fc.record({ latitude: fc.double(), longitude: fc.double() }), { maxLength: 12 }) }),
  fc.record({ iosTemplateId: fc.oneof(fc.double(), hostileText), landingPageUrl: hostileText }),
  fc.record({
    personalizationToken: hostileText,
    requiredPersonalizationInfo: fc.dictionary(hostileText, hostileText),
  }),
  fc.record({ pushToken: hostileText }),
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 3 }),
  hostileObject,
  fc.constantFrom("[".repeat(5000), '{"a":"\\ud800"}', "not json", '{"name":"\\u0000"}'),
);

describe("every route", () => {
  it("answers hostile params, queries and bodies with a JSON 4xx (or success), never a 5xx; refusals write nothing", async () => {
    expect(routes.length).toBeGreaterThan(60);
    // Every table the data lives in, not a hand-kept list (36 when this was written).
    expect(digest.tables).toEqual(
      expect.arrayContaining(["passes", "segments", "schedules", "api_keys", "pass_events"]),
    );
    expect(digest.tables.length).toBeGreaterThanOrEqual(34);
    const request = fc.integer({ min: 0, max: 10_000 }).chain((n) => {
      const route = routes[n % routes.length]!;
      const names = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
      return fc.record({
        route: fc.constant(route),
        params: fc.tuple(...names.map((name) => segment(name))),
        query,
        body: route.method === "GET" || route.method === "DELETE" ? fc.constant(undefined) : body,
        form: fc.boolean(),
      });
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ route, params, query: q, body: b, form }) => {
        let i = 0;
        const path = route.path.replace(/\{\w+\}/g, () => params[i++] ?? "x");
        const search = Object.entries(q)
          .map(([k, v]) => `${k}=${encode(v)}`)
          .join("&");
        const url = `${path}${search ? `?${search}` : ""}`;
        const raw = typeof b === "string" ? b : b === undefined ? undefined : JSON.stringify(b);
        const before = await digest.take();
        const response = await server.call(route.method, url, {
          ...(raw === undefined
            ? {}
            : form
              ? { rawBody: `json=${encodeURIComponent(raw)}`, contentType: "application/x-www-form-urlencoded" }
              : { rawBody: raw }),
        });
        const what = `${route.method} ${url} ${String(raw).slice(0, 120)} → ${response.status} ${response.text.slice(0, 200)}`;
        expect(response.status, what).toBeLessThan(500);
        if (response.status >= 400) {
          expect(typeof response.json?.error, what).toBe("string");
          expect(typeof response.json?.code, what).toBe("string");
          expect(await digest.take(), what).toBe(before);
        }
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 600) },
    );
  }, 240_000);
});
