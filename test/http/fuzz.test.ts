// Property: bad input to any route gets a 4xx with the JSON error shape, and nothing is written.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Credentials, isJsonError, startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let other: Credentials;
let projectId: number;
let foreignProjectId: number;
let merchantId: string;

beforeAll(async () => {
  server = await startTestServer();
  other = await server.newAccount("other");
  projectId = (await server.call("POST", "/v1/project/id/fuzz", { body: { name: "Fuzz", projectType: "loyalty" } }))
    .json.id;
  foreignProjectId = (
    await server.call("POST", "/v1/project/id/theirs", { body: { name: "Theirs", projectType: "coupon" }, as: other })
  ).json.id;
  merchantId = (await server.call("POST", `/v1/project/${projectId}/nfcMerchants`, { body: { vendor: "ANY" } })).json
    .merchantId;
});
afterAll(() => server.close());

async function snapshot(): Promise<string> {
  const { rows } = await server.database.query(
    `SELECT (SELECT json_agg(p ORDER BY id) FROM projects p) AS projects,
            (SELECT json_agg(m ORDER BY id) FROM nfc_merchants m) AS merchants,
            (SELECT json_agg(t ORDER BY id) FROM templates t) AS templates,
            (SELECT count(*) FROM accounts) AS accounts`,
  );
  return JSON.stringify(rows[0]);
}

// Ids that do not name a project of the caller: text, huge, zero, negative, another account's.
const badProjectId = fc.oneof(
  fc
    .string({ minLength: 1, maxLength: 40 })
    .filter((s) => !/^\d+$/.test(s) && s.trim() !== "" && s !== "." && s !== ".."),
  fc.bigInt({ min: 2n ** 31n, max: 10n ** 30n }).map(String),
  fc.constantFrom("0", "-1", "1e3", "0x10", " 1", "99999999"),
  fc.constant("FOREIGN"),
);
const resolveId = (id: string) => (id === "FOREIGN" ? String(foreignProjectId) : encodeURIComponent(id));

const wrongType = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
);
const hugeString = fc.integer({ min: 256, max: 200_000 }).map((n) => "x".repeat(n));
const notAProjectType = fc
  .string({ maxLength: 20 })
  .filter(
    (s) => !["loyalty", "coupon", "giftCard", "memberCard", "eventTicket", "boardingPass", "generic"].includes(s),
  );

const badProjectBody = fc.oneof(
  fc.record({ projectType: fc.constant("loyalty") }),
  fc.record({ name: wrongType, projectType: fc.constant("loyalty") }),
  fc.record({ name: hugeString, projectType: fc.constant("loyalty") }),
  fc.record({ name: fc.constant("ok"), projectType: notAProjectType }),
  fc.record({
    name: fc.constant("ok"),
    projectType: fc.constant("loyalty"),
    settings: fc.oneof(fc.integer(), fc.string(), fc.constant(null), fc.array(fc.integer())),
  }),
  fc.record({
    name: fc.constant("ok"),
    projectType: fc.constant("loyalty"),
    description: fc.oneof(
      wrongType,
      hugeString.map((s) => s + s.repeat(20)),
    ),
  }),
  fc.oneof(fc.integer(), fc.string(), fc.array(fc.anything(), { maxLength: 3 }), fc.constant(null)),
);

const badUpdateBody = fc.oneof(
  fc.record({ name: fc.oneof(wrongType, hugeString, fc.constant("")) }),
  fc.record({ projectType: notAProjectType }),
  fc.record({ settings: fc.oneof(fc.integer(), fc.string(), fc.constant(null)) }),
  fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(null)),
);

const badMerchantBody = fc.oneof(
  fc.record({ publicKeyPem: fc.string({ minLength: 1, maxLength: 300 }) }),
  fc.record({ vendor: fc.string({ maxLength: 10 }).filter((s) => !["GOOGLE", "APPLE", "ANY"].includes(s)) }),
  fc.record({ keyVersion: fc.oneof(fc.integer({ min: 5 }), fc.integer({ max: 0 }), fc.string(), fc.double()) }),
  fc.record({ merchantName: fc.oneof(wrongType, hugeString) }),
  fc.oneof(fc.integer(), fc.string(), fc.array(fc.integer(), { maxLength: 2 })),
);

const malformedJson = fc.oneof(
  fc.constantFrom("{", '{"name":', "[1,", "nul", "{'a':1}", "\u0000", '{"a":1}}'),
  fc.string({ minLength: 1, maxLength: 50 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return s.trim() !== "";
    }
  }),
);

const badPagination = fc.oneof(
  fc.record({
    page: fc.oneof(
      fc.integer({ max: -1 }).map(String),
      fc.string({ minLength: 1, maxLength: 5 }).filter((s) => !/^\d+$/.test(s)),
    ),
  }),
  fc.record({
    pageSize: fc.oneof(
      fc.integer({ min: 1001 }).map(String),
      fc.constant("0"),
      fc.string({ minLength: 1, maxLength: 5 }).filter((s) => !/^\d+$/.test(s)),
    ),
  }),
  fc.record({
    order: fc.string({ maxLength: 12 }).filter((s) => !["id", "name", "createdAt", "updatedAt"].includes(s)),
  }),
  fc.record({ direction: fc.string({ maxLength: 6 }).filter((s) => !["ASC", "DESC"].includes(s.toUpperCase())) }),
);

interface Attempt {
  method: string;
  path: string;
  body?: unknown;
  raw?: string;
}

async function expectRejected(attempt: Attempt): Promise<void> {
  const before = await snapshot();
  const res = await server.call(attempt.method, attempt.path, {
    body: attempt.raw === undefined ? attempt.body : undefined,
    rawBody: attempt.raw,
  });
  const label = `${attempt.method} ${attempt.path} ${attempt.raw ?? JSON.stringify(attempt.body)?.slice(0, 200)}`;
  expect(res.status, label).toBeGreaterThanOrEqual(400);
  expect(res.status, label).toBeLessThan(500);
  expect(isJsonError(res), `${label} → ${res.text.slice(0, 200)}`).toBe(true);
  expect(await snapshot(), label).toBe(before);
}

const runs = { numRuns: 60 };

describe("bad input never yields a 5xx nor a write", () => {
  it("project routes with ids that are not the caller's", async () => {
    const routes = [
      ["GET", "/v1/project/:id"],
      ["PUT", "/v1/project/:id"],
      ["DELETE", "/v1/project/:id"],
      ["POST", "/v1/project/duplicate/:id"],
      ["GET", "/v1/project/:id/nfcMerchants"],
      ["POST", "/v1/project/:id/nfcMerchants"],
      ["GET", "/v1/project/:id/nfcMerchants/:merchant"],
      ["PUT", "/v1/project/:id/nfcMerchants/:merchant"],
      ["DELETE", "/v1/project/:id/nfcMerchants/:merchant"],
    ] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        badProjectId,
        fc.boolean(),
        async ([method, template], id, external) => {
          const path = template
            .replace(
              "/:id",
              external && id !== "FOREIGN" ? `/id/${encodeURIComponent(`missing-${id}`)}` : `/${resolveId(id)}`,
            )
            .replace(":merchant", merchantId);
          const body = method === "PUT" ? { name: "renamed" } : method === "POST" ? { vendor: "ANY" } : undefined;
          await expectRejected({ method, path, body });
        },
      ),
      runs,
    );
  });

  it("project create and update bodies", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("/v1/project", "/v1/project/id/new-one"), badProjectBody, (path, body) =>
        expectRejected({ method: "POST", path, body }),
      ),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(`/v1/project/${projectId}`, "/v1/project/id/fuzz"),
        badUpdateBody,
        (path, body) => expectRejected({ method: "PUT", path, body }),
      ),
      runs,
    );
  });

  it("NFC merchant bodies and merchant ids", async () => {
    await fc.assert(
      fc.asyncProperty(badMerchantBody, (body) =>
        expectRejected({ method: "POST", path: `/v1/project/${projectId}/nfcMerchants`, body }),
      ),
      runs,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 80 }),
        fc.constantFrom("GET", "PUT", "DELETE"),
        (id, method) =>
          expectRejected({
            method,
            path: `/v1/project/${projectId}/nfcMerchants/${encodeURIComponent(id)}`,
            body: method === "PUT" ? { merchantName: "x" } : undefined,
          }),
      ),
      runs,
    );
  });

  it("malformed JSON on every writing route", async () => {
    const paths = [
      ["POST", "/v1/project"],
      ["POST", "/v1/project/id/x"],
      ["PUT", `/v1/project/${projectId}`],
      ["POST", `/v1/project/${projectId}/nfcMerchants`],
      ["PUT", `/v1/project/${projectId}/nfcMerchants/${merchantId}`],
    ] as const;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), malformedJson, ([method, path], raw) =>
        expectRejected({ method, path, raw }),
      ),
      runs,
    );
  });

  it("bad pagination", async () => {
    await fc.assert(
      fc.asyncProperty(badPagination, (query) =>
        expectRejected({ method: "GET", path: `/v1/project?${new URLSearchParams(query as Record<string, string>)}` }),
      ),
      runs,
    );
  });

  it("a body over the size limit", async () => {
    await expectRejected({
      method: "POST",
      path: "/v1/project",
      body: { name: "x", projectType: "loyalty", settings: { big: "y".repeat(2 * 1024 * 1024) } },
    });
  });
});
