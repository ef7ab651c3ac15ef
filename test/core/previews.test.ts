// Previews over real HTTP: a pass, a template (by id and external id) and an unsaved template body drawn as PNG
// or SVG, front and back, Apple and Google; an ETag that a repeated request answers 304 to and that changes with
// the pass; 404 and 400 in the JSON error shape; nothing stored by an unsaved preview.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { appleTemplate, googleTemplate } from "../fixtures/reference.js";
import { startTestServer, type TestServer } from "../helpers/app.js";
import { testPki } from "../helpers/apple.js";
import { decodePng } from "../helpers/png-pixels.js";

let server: TestServer;
let projectId: number;
let appleId: number;
let googleId: number;

beforeAll(async () => {
  server = await startTestServer({ apple: testPki().setup });
  projectId = (await server.call("POST", "/v1/project", { body: { name: "Acme", projectType: "memberCard" } })).json.id;
  appleId = (await server.call("POST", `/v1/template/${projectId}/id/apple-card`, { body: appleTemplate })).json
    .templateId;
  googleId = (await server.call("POST", `/v1/template/${projectId}`, { body: googleTemplate })).json.templateId;
});
afterAll(() => server.close());

const auth = () => `Basic ${Buffer.from(`${server.credentials.key}:${server.credentials.secret}`).toString("base64")}`;
const get = (path: string, headers: Record<string, string> = {}) =>
  fetch(`${server.baseUrl}${path}`, { headers: { authorization: auth(), ...headers } });
const texts = (svg: string) => [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

it("draws an Apple pass as PNG (2× by default) and SVG, front and back, with its values", async () => {
  const pass = (
    await server.call("POST", `/v1/pass/${appleId}`, {
      body: { fields: { Coupon: { value: "35%" } }, headers: { barcode_value: { value: "C-35" } } },
    })
  ).json;
  const png = await get(`/v1/pass/${pass.id}/preview`);
  expect(png.status).toBe(200);
  expect(png.headers.get("content-type")).toBe("image/png");
  const pixels = decodePng(Buffer.from(await png.arrayBuffer()));
  expect([pixels.width, pixels.height]).toEqual([640, 880]);
  expect((await get(`/v1/pass/${pass.id}/preview?scale=1`).then((r) => r.arrayBuffer())).byteLength).toBeGreaterThan(
    1000,
  );

  const svg = await get(`/v1/pass/${pass.id}/preview?format=svg`);
  expect(svg.headers.get("content-type")).toBe("image/svg+xml");
  const front = texts(await svg.text());
  expect(front).toContain("Logo Text");
  expect(front).toContain("COUPON");
  expect(front).toContain("35%");
  const back = texts(await (await get(`/v1/pass/${pass.id}/preview?format=svg&side=back`)).text());
  expect(back.length).toBeGreaterThan(0);
  expect(back).not.toEqual(front);
  expect((await get(`/v1/pass/id/nope/preview`)).status).toBe(404);
});

it("answers 304 to a repeated request, and a new ETag once the pass changed", async () => {
  const pass = (await server.call("POST", `/v1/pass/${appleId}`, { body: {} })).json;
  const first = await get(`/v1/pass/${pass.id}/preview`);
  const etag = first.headers.get("etag")!;
  expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
  expect(first.headers.get("cache-control")).toBe("private, no-cache");
  const again = await get(`/v1/pass/${pass.id}/preview`, { "if-none-match": etag });
  expect(again.status).toBe(304);
  expect((await again.arrayBuffer()).byteLength).toBe(0);
  await server.call("PUT", `/v1/pass/${pass.id}`, { body: { fields: { Coupon: { value: "50%" } } } });
  const changed = await get(`/v1/pass/${pass.id}/preview`, { "if-none-match": etag });
  expect(changed.status).toBe(200);
  expect(changed.headers.get("etag")).not.toBe(etag);
});

it("draws a template's defaults by id and by external id, and a Google pass and template", async () => {
  for (const path of [`/v1/template/${appleId}/preview?format=svg`, "/v1/template/id/apple-card/preview?format=svg"]) {
    const answer = await get(path);
    expect(answer.status, path).toBe(200);
    expect(texts(await answer.text())).toContain("20%");
  }
  const google = (await server.call("POST", `/v1/pass/${googleId}`, { body: {} })).json;
  const card = texts(await (await get(`/v1/pass/${google.id}/preview?format=svg`)).text());
  expect(card).toContain("Acme");
  expect(card).toContain("Program ID");
  expect(card).toContain("12345678");
  const details = texts(await (await get(`/v1/template/${googleId}/preview?format=svg&side=back`)).text());
  expect(details).toContain("PROGRAM DETAILS");
  const missing = await get("/v1/template/999999/preview");
  expect(missing.status).toBe(404);
  expect(((await missing.json()) as { code: string }).code).toBe("TEMPLATE_NOT_FOUND");
});

it("draws an unsaved template body and stores nothing; a bad body is a 400 naming the problem", async () => {
  const before = (await server.call("GET", "/v1/template")).json.count;
  const body = {
    ...appleTemplate,
    name: "Draft",
    headers: { ...appleTemplate.headers, background_color: { value: "rgb(200,30,30)" } },
  };
  const response = await fetch(`${server.baseUrl}/v1/template/preview?format=svg`, {
    method: "POST",
    headers: { authorization: auth(), "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  const svg = await response.text();
  expect(svg).toContain('fill="#c81e1e"');
  expect((await server.call("GET", "/v1/template")).json.count).toBe(before);
  const bad = await server.call("POST", "/v1/template/preview", { body: { vendor: "Nokia" } });
  expect(bad.status).toBe(400);
  expect(typeof bad.json.error).toBe("string");
  const badQuery = await get(`/v1/template/${appleId}/preview?scale=9`);
  expect(badQuery.status).toBe(400);
});

it("needs an API key", async () => {
  expect((await fetch(`${server.baseUrl}/v1/template/${appleId}/preview`)).status).toBe(401);
});

it("draws the unsaved template of docs/api.md's example", async () => {
  const docs = readFileSync(new URL("../../docs/api.md", import.meta.url), "utf8");
  const section = docs.slice(docs.indexOf("## Previews"));
  const body = /-d '(\{.*\})'/.exec(section)?.[1];
  expect(body).toBeDefined();
  const response = await fetch(`${server.baseUrl}/v1/template/preview?format=svg`, {
    method: "POST",
    headers: { authorization: auth(), "content-type": "application/json" },
    body,
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const svg = await response.text();
  expect(texts(svg)).toContain("120");
  expect(svg).toContain('fill="#c81e1e"');
});

it("shows a link's visitors the pass they would get on its landing page, with the link's own values", async () => {
  const desktop = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36" };
  const previewOf = async (linkId: string) => {
    const html = await (await fetch(`${server.baseUrl}/v1/pass/adaptive/${linkId}`, { headers: desktop })).text();
    const data = /<img class="preview" src="data:image\/png;base64,([^"]+)" alt="Preview of your pass"/.exec(html)?.[1];
    expect(data, html.slice(0, 300)).toBeDefined();
    return Buffer.from(data!, "base64");
  };
  const plain = (await server.call("POST", "/v1/links/adaptive", { body: { iosTemplateId: appleId } })).json;
  const own = (
    await server.call("POST", "/v1/links/adaptive", {
      body: { iosTemplateId: appleId, payload: { fields: { Coupon: { value: "77%" } } } },
    })
  ).json;
  const template = Buffer.from(await (await get(`/v1/template/${appleId}/preview?scale=1`)).arrayBuffer());
  const plainPreview = await previewOf(plain.adaptiveLinkId);
  expect(decodePng(plainPreview).width).toBe(320);
  expect(plainPreview.equals(template)).toBe(true);
  expect((await previewOf(own.adaptiveLinkId)).equals(template)).toBe(false);
});

it("draws no other account's pass or template: 404, as for one that does not exist", async () => {
  const pass = (await server.call("POST", `/v1/pass/${appleId}/id/private-1`, { body: {} })).json;
  const google = (await server.call("POST", `/v1/pass/${googleId}`, { body: {} })).json;
  const stranger = await server.newAccount("stranger");
  for (const path of [`/v1/pass/${pass.id}/preview`, `/v1/pass/${google.id}/preview?format=svg`]) {
    const answer = await server.call("GET", path, { as: stranger });
    expect(answer.status, path).toBe(404);
    expect(answer.json.code).toBe("PASS_NOT_FOUND");
  }
  expect((await server.call("GET", "/v1/pass/id/private-1/preview", { as: stranger })).json.code).toBe(
    "PASS_NOT_FOUND",
  );
  expect((await server.call("GET", `/v1/template/${appleId}/preview`, { as: stranger })).json.code).toBe(
    "TEMPLATE_NOT_FOUND",
  );
  expect((await server.call("GET", `/v1/pass/${pass.id}/preview?format=svg`)).status).toBe(200);
});
