// GET /v1/pass/{id}/download and /viewJSONPass (API key), and the public GET /v1/download/pass/{token}.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { DownloadService } from "../../core/downloads/service.js";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import type { Handout } from "../../domain/wallet-port.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { Described, PkpassFile, Redirect } from "../schema-kit.js";

function send(reply: FastifyReply, handout: Handout) {
  if (handout.kind === "redirect") return reply.header("cache-control", "no-store").redirect(handout.location, 302);
  return reply
    .header("content-type", handout.contentType)
    .header("content-disposition", `attachment; filename="${handout.fileName}"`)
    .header("last-modified", handout.lastModified.toUTCString())
    .header("cache-control", "no-store")
    .send(handout.body);
}

export const downloadRoutes: FastifyPluginAsyncTypebox<{ downloads: DownloadService }> = async (app, { downloads }) => {
  // Each by pass id, and by the pass's external id (resolved across the account's templates).
  const forms = [
    { suffix: ":passId", params: Type.Object({ passId: NumericIdParam }) },
    { suffix: "id/:externalId", params: Type.Object({ externalId: ExternalIdParam }) },
  ] as const;
  const passIdOf = (request: FastifyRequest) => {
    const p = request.params as { passId?: string; externalId?: string };
    const accountId = accountOf(request);
    return p.externalId !== undefined
      ? downloads.passIdOf(accountId, p.externalId)
      : Promise.resolve(numericId(p.passId!, "Pass"));
  };
  for (const { suffix, params } of forms) {
    app.get(
      `/pass/${suffix}/download`,
      {
        config: access("wpas", "pass"),
        schema: {
          tags: ["Passes"],
          summary: "Download a pass: the signed .pkpass of an Apple pass, a 302 to the save link of a Google pass",
          params,
          response: { 200: PkpassFile, 302: Redirect("the Google pass's save link") },
        },
      },
      async (request, reply) => send(reply, await downloads.download(accountOf(request), await passIdOf(request))),
    );
    app.get(
      `/pass/${suffix}/viewJSONPass`,
      {
        config: access("wpas", "pass"),
        schema: {
          tags: ["Passes"],
          summary: "The pass.json an Apple pass's bundle holds",
          params,
          response: {
            200: Described(
              { formatVersion: Type.Optional(Type.Integer()), serialNumber: Type.Optional(Type.String()) },
              "pass.json",
            ),
          },
        },
      },
      async (request, reply) => {
        const { passJson, missing } = await downloads.passJson(accountOf(request), await passIdOf(request));
        // A newer layout the pass asked for (or a boarding pass qualifies for) but misses: which tags it lacks.
        if (missing) reply.header("wallet-layout-missing", `${missing.scheme}: ${missing.keys.join(", ")}`);
        return passJson;
      },
    );
  }
};

/** Public pass links (no API key: the token is the credential). */
export const publicDownloadRoutes: FastifyPluginAsyncTypebox<{ downloads: DownloadService }> = async (
  app,
  { downloads },
) => {
  app.get(
    "/download/pass/:token",
    {
      schema: {
        tags: ["Passes"],
        summary: "A pass's public link (publicUrl.path): the pass, without an API key",
        params: Type.Object({ token: Type.String({ pattern: "^[A-Za-z0-9_-]{8,64}$" }) }),
        response: {
          200: PkpassFile,
          302: Redirect("the Google pass's save link"),
          410: {
            description: "A single-use link already used",
            ...Type.Object({ error: Type.String(), code: Type.String() }),
          },
        },
        security: [],
      },
    },
    async (request, reply) => send(reply, await downloads.publicDownload(request.params.token)),
  );
};
