// The error catalog: docs/errors.md must be what scripts/errors-page.ts renders from it (this test only reads the
// page; `npm run docs:errors` rewrites it), and missing things of different kinds answer different codes.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERRORS_PAGE, renderErrorsPage } from "../scripts/errors-page.js";
import { ERRORS } from "../src/errors.js";
import { startTestServer, type TestServer } from "./helpers/app.js";

describe("the error catalog", () => {
  it("is what docs/errors.md lists", () => {
    expect(readFileSync(ERRORS_PAGE, "utf8")).toBe(renderErrorsPage());
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
