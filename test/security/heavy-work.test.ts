// One tenant's heavy requests cannot take the database from the others: on a project of 100,000 passes, a burst of
// segment counts from one account is served two at a time (the rest answer 429 HEAVY_REQUESTS_BUSY with
// Retry-After, never a 5xx) while another account's requests keep answering; and the criteria that once compiled to
// 800 scans of those passes are refused when the segment is made.
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Credentials, pointsTemplate, startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
let other: Credentials;
let projectId: number;
let otherProject: number;
let segmentId: string;

beforeAll(async () => {
  server = await startTestServer();
  let templateId: number;
  ({ projectId, templateId } = await pointsTemplate(server, "Big"));
  await server.database.query(
    `INSERT INTO passes (account_id, template_id, serial_number)
     SELECT t.account_id, t.id, gen_random_uuid()::text FROM templates t, generate_series(1, 100000) WHERE t.id = $1`,
    [templateId],
  );
  await server.database.query("INSERT INTO tags (account_id, name) VALUES ($1, 'even'), ($1, 'odd')", [
    server.credentials.accountId,
  ]);
  await server.database.query(
    `INSERT INTO pass_tags (pass_id, tag_id)
     SELECT p.id, t.id FROM passes p JOIN tags t ON t.name = CASE WHEN p.id % 2 = 0 THEN 'even' ELSE 'odd' END
      WHERE p.template_id = $1`,
    [templateId],
  );
  await server.database.query("ANALYZE");
  segmentId = (
    await server.call("POST", `/v1/segments/${projectId}`, {
      body: { criteria: { or: [{ not: { tag: "even" } }, { and: [{ tag: "even" }, { not: { tag: "odd" } }] }] } },
    })
  ).json.segmentId;
  other = await server.newAccount("another tenant");
  otherProject = (
    await server.call("POST", "/v1/project", { body: { name: "Small", projectType: "loyalty" }, as: other })
  ).json.id;
}, 120_000);
afterAll(() => server?.close());

it("serves one account's burst of segment counts two at a time, and another account meanwhile", async () => {
  const counts = Array.from({ length: 12 }, () =>
    server.call("GET", `/v1/segments/${projectId}/${segmentId}?count=true`),
  );
  const others = Array.from({ length: 10 }, () => server.call("GET", `/v1/project/${otherProject}`, { as: other }));
  const answered = await Promise.all(counts);
  const statuses = answered.map((a) => a.status);
  expect(
    statuses.every((s) => s === 200 || s === 429),
    statuses.join(),
  ).toBe(true);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
  const busy = answered.filter((a) => a.status === 429);
  expect(busy.length).toBeGreaterThan(0);
  for (const a of busy) {
    expect(a.json.code).toBe("HEAVY_REQUESTS_BUSY");
    expect(a.headers.get("retry-after")).toBe("1");
  }
  expect(answered.find((a) => a.status === 200)!.json.passCount).toBe(100_000);
  expect((await Promise.all(others)).map((a) => a.status)).toEqual(Array(10).fill(200));
  // The slots come back: a count after the burst is served.
  expect((await server.call("GET", `/v1/segments/${projectId}/${segmentId}?count=true`)).status).toBe(200);
}, 60_000);

it("refuses the criteria of 100 branches of 8 nested negations before they reach the passes", async () => {
  const negated = (tag: string) => {
    let node: unknown = { tag };
    for (let i = 0; i < 8; i++) node = { not: node };
    return node;
  };
  const refused = await server.call("POST", `/v1/segments/${projectId}`, {
    body: { criteria: { or: Array.from({ length: 100 }, (_, i) => negated(`t${i}`)) } },
  });
  expect(refused.status).toBe(400);
  expect(refused.json.details).toEqual(["criteria: has more than 200 selectors"]);
});
