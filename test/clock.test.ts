// The services read the composition root's clock: expiry is tested by moving time, not by sleeping.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ManualClock } from "../src/clock.js";
import { appleTemplate } from "./fixtures/reference.js";
import { startTestServer, type TestServer } from "./helpers/app.js";

let server: TestServer;
const clock = new ManualClock(Date.parse("2030-01-01T00:00:00Z"));

beforeAll(async () => {
  server = await startTestServer({ clock });
});
afterAll(() => server.close());

describe("an injected clock", () => {
  it("decides when an adaptive link expires, and the default lifetime of a new one", async () => {
    const project = (await server.call("POST", "/v1/project", { body: { name: "Clock", projectType: "loyalty" } }))
      .json;
    const templateId = (await server.call("POST", `/v1/template/${project.id}`, { body: appleTemplate })).json
      .templateId;
    const link = (await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: templateId } })).json;
    // 180 days from the clock's "now", not from the machine's.
    expect(link.expiry).toBe("2030-06-30");
    expect((await fetch(`${server.baseUrl}/v1/pass/adaptive/${link.adaptiveLinkId}/ios`)).status).toBe(200);
    clock.advance(181 * 86_400_000);
    const expired = await fetch(`${server.baseUrl}/v1/pass/adaptive/${link.adaptiveLinkId}/ios`);
    expect(expired.status).toBe(410);
    expect(((await expired.json()) as { code: string }).code).toBe("LINK_EXPIRED");
    expect((await server.call("GET", `/v1/links/adaptive/${link.adaptiveLinkId}`)).json.isExpired).toBe(true);
  });
});
