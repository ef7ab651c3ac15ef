// GET /v1/pass/{id}/download and /viewJSONPass (API key), and the public GET /v1/download/pass/{token}.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import { accountOf } from "../../../http/auth.js";
import { NumericIdParam, numericId } from "../ids.js";
import type { Delivery, DownloadService } from "./service.js";

function send(reply: FastifyReply, delivery: Delivery) {
  if (delivery.kind === "redirect") return reply.header("cache-control", "no-store").redirect(delivery.location, 302);
  return reply
    .header("content-type", delivery.contentType)
    .header("content-disposition", `attachment; filename="${delivery.fileName}"`)
    .header("last-modified", delivery.lastModified.toUTCString())
    .header("cache-control", "no-store")
    .send(delivery.body);
}

export const downloadRoutes: FastifyPluginAsyncTypebox<{ downloads: DownloadService }> = async (app, { downloads }) => {
  app.get(
    "/pass/:passId/download",
    {
      schema: {
        tags: ["Passes"],
        summary: "Download a pass: the signed .pkpass of an Apple pass, a 302 to the save link of a Google pass",
        params: Type.Object({ passId: NumericIdParam }),
      },
    },
    async (request, reply) =>
      send(reply, await downloads.download(accountOf(request), numericId(request.params.passId, "Pass"))),
  );
  app.get(
    "/pass/:passId/viewJSONPass",
    {
      schema: {
        tags: ["Passes"],
        summary: "The pass.json an Apple pass's bundle holds",
        params: Type.Object({ passId: NumericIdParam }),
      },
    },
    (request) => downloads.passJson(accountOf(request), numericId(request.params.passId, "Pass")),
  );
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
        security: [],
      },
    },
    async (request, reply) => send(reply, await downloads.publicDownload(request.params.token)),
  );
};
