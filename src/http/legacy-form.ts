// Body parsers. JSON as usual (an empty body reads as "no body", since SDKs send Content-Type on bodiless POSTs),
// and the legacy PassTools wire format: application/x-www-form-urlencoded with the JSON document in `json`
// and the credentials in `api_key`.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { malformed } from "../errors.js";
import { checkJsonDepth } from "./edge.js";

declare module "fastify" {
  interface FastifyRequest {
    legacyApiKey?: string;
  }
}

function parseJsonText(text: string, where: string): unknown {
  if (text.trim() === "") return undefined;
  checkJsonDepth(text, where);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw malformed(`${where} is not valid JSON: ${(error as Error).message}`);
  }
}

export function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(["application/json", "text/plain"]);
  app.addContentTypeParser(["application/json", "text/plain"], { parseAs: "string" }, (_request, body, done) => {
    try {
      done(null, parseJsonText(body as string, "Request body"));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "string" },
    (request: FastifyRequest, body, done) => {
      try {
        const form = new URLSearchParams(body as string);
        const apiKey = form.get("api_key");
        if (apiKey !== null) request.legacyApiKey = apiKey;
        const json = form.get("json");
        done(null, json === null ? undefined : parseJsonText(json, 'Form field "json"'));
      } catch (error) {
        done(error as Error, undefined);
      }
    },
  );
}

/** The legacy `api_key` from the form body or the query string. */
export function legacyApiKeyOf(request: FastifyRequest): string | undefined {
  if (request.legacyApiKey !== undefined) return request.legacyApiKey;
  const query = request.query as Record<string, unknown> | undefined;
  const value = query?.api_key;
  return typeof value === "string" ? value : undefined;
}
