// The error catalog: docs/errors.md is generated from it (this test fails when the page is stale; run
// `npm run docs:errors` to rewrite it), and missing things of different kinds answer different codes.
import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERRORS } from "../src/errors.js";
import { startTestServer, type TestServer } from "./helpers/app.js";

const PAGE = new URL("../docs/errors.md", import.meta.url);

function render(): string {
  const rows = Object.entries(ERRORS).map(([code, { status, when }]) => `| ${status} | \`${code}\` | ${when} |`);
  return [
    "# Errors",
    "",
    'Every error answer is JSON: `{"error": "<message>", "code": "<CODE>", "details": …, "requestId": "…"}`.',
    "`code` is stable across releases; `error` is for people; `details` (when present) lists each problem;",
    "`requestId` finds the request in the server's log. Generated from `src/errors.ts` by `npm run docs:errors`.",
    "",
    "| status | code | when |",
    "| --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

describe("the error catalog", () => {
  it("is what docs/errors.md lists", () => {
    if (process.env.UPDATE_DOCS === "1") writeFileSync(PAGE, render());
    expect(readFileSync(PAGE, "utf8")).toBe(render());
  });

  it("gives every code one status, and 4xx/5xx statuses only", () => {
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(status >= 400 && status < 600, code).toBe(true);
    }
  });
});

describe("error answers", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it("name what is missing: a pass, a template and a project answer three different codes", async () => {
    const codes = [];
    for (const path of ["/v1/pass/999999", "/v1/template/999999", "/v1/project/999999", "/v1/nope"]) {
      const response = await server.call("GET", path);
      expect(response.status).toBe(404);
      expect(response.json).toEqual({
        error: expect.any(String),
        code: expect.any(String),
        requestId: expect.any(String),
      });
      codes.push(response.json.code);
    }
    expect(codes).toEqual(["PASS_NOT_FOUND", "TEMPLATE_NOT_FOUND", "PROJECT_NOT_FOUND", "ROUTE_NOT_FOUND"]);
  });
});
