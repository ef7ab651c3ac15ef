// The OpenAPI document (/docs/json) describes the API: every operation's success answers and every request body
// with their fields, and no response schema can leak a secret column.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/app.js";

let server: TestServer;
// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is read loosely and asserted on.
let doc: any;

beforeAll(async () => {
  server = await startTestServer();
  doc = (await fetch(`${server.baseUrl}/docs/json`).then((r) => r.json())) as unknown;
});
afterAll(() => server.close());

// biome-ignore lint/suspicious/noExplicitAny: schema fragments of any shape.
const describes = (schema: any): boolean =>
  Boolean(
    schema &&
      (Object.keys(schema.properties ?? {}).length ||
        schema.items ||
        schema.oneOf ||
        schema.anyOf ||
        (schema.type === "object" && schema.additionalProperties === false)),
  );

describe("the OpenAPI document", () => {
  it("describes the success answer of every operation and every request body, with their fields", () => {
    const undescribed: string[] = [];
    const bareBodies: string[] = [];
    let operations = 0;
    let bodies = 0;
    for (const [path, methods] of Object.entries<Record<string, unknown>>(doc.paths)) {
      // biome-ignore lint/suspicious/noExplicitAny: an OpenAPI operation.
      for (const [method, operation] of Object.entries<any>(methods)) {
        operations++;
        // biome-ignore lint/suspicious/noExplicitAny: OpenAPI response objects.
        const success = Object.entries<any>(operation.responses ?? {}).filter(([code]) => /^[23]/.test(code));
        const ok = success.some(([code, answer]) => {
          const content = answer.content ?? {};
          if (content["application/json"]) return describes(content["application/json"].schema);
          return Object.keys(content).length > 0 || code === "204" || code === "304" || code.startsWith("3");
        });
        if (!ok) undescribed.push(`${method.toUpperCase()} ${path}`);
        if (operation.requestBody) {
          bodies++;
          if (!describes(operation.requestBody.content?.["application/json"]?.schema)) {
            bareBodies.push(`${method.toUpperCase()} ${path}`);
          }
        }
      }
    }
    expect(operations).toBeGreaterThan(100);
    expect(bodies).toBeGreaterThan(40);
    expect(undescribed).toEqual([]);
    expect(bareBodies).toEqual([]);
  });

  it("names no secret column in any response schema", () => {
    const text = JSON.stringify(doc.paths);
    for (const secret of [
      "secretHash",
      "privateKeyEncrypted",
      'authenticationToken":{"type',
      "serviceAccountEncrypted",
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
