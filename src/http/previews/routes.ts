// HTTP ⇄ PreviewService: GET …/preview of a pass or a template (by id or external id) and POST /template/preview
// of an unsaved template body; an image answer with an ETag (If-None-Match → 304) and no caching by others.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import type { Preview, PreviewOptions, PreviewService } from "../../core/previews/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { NoBody } from "../schema-kit.js";
import { TemplateBody } from "../templates/schemas.js";

const tags = ["Previews"];

export const PreviewQuery = Type.Object({
  side: Type.Optional(Type.Union([Type.Literal("front"), Type.Literal("back")], { description: "default front" })),
  format: Type.Optional(Type.Union([Type.Literal("png"), Type.Literal("svg")], { description: "default png" })),
  scale: Type.Optional(
    Type.Union([Type.Literal("1"), Type.Literal("2"), Type.Literal("3")], {
      description: "PNG pixels per point, default 2 (a front is 320 × 440 points)",
    }),
  ),
});

const PreviewImage = {
  description: "The preview: a PNG, or with format=svg an SVG document",
  content: {
    "image/png": { schema: { type: "string", format: "binary" } },
    "image/svg+xml": { schema: { type: "string" } },
  },
};

const responses = { 200: PreviewImage, 304: NoBody("Not modified: the If-None-Match ETag is still current") };

function optionsOf(request: FastifyRequest): PreviewOptions {
  const q = request.query as { side?: "front" | "back"; format?: "png" | "svg"; scale?: string };
  return { side: q.side ?? "front", format: q.format ?? "png", scale: Number(q.scale ?? 2) };
}

function send(request: FastifyRequest, reply: FastifyReply, preview: Preview) {
  reply.header("etag", preview.etag).header("cache-control", "private, no-cache");
  const asked = request.headers["if-none-match"];
  if (typeof asked === "string" && asked.split(",").some((tag) => tag.trim() === preview.etag)) {
    return reply.code(304).send();
  }
  return reply.header("content-type", preview.contentType).send(preview.body);
}

export const previewRoutes: FastifyPluginAsyncTypebox<{ previews: PreviewService }> = async (app, { previews }) => {
  for (const [path, params, form] of [
    ["/pass/:id/preview", Type.Object({ id: NumericIdParam }), ""],
    ["/pass/id/:externalId/preview", Type.Object({ externalId: ExternalIdParam }), " by external id"],
  ] as const) {
    app.get(
      path,
      {
        config: access("wpas", "pass"),
        schema: {
          tags,
          summary: `What a pass looks like in Wallet or Google Wallet${form}`,
          params,
          querystring: PreviewQuery,
          response: responses,
        },
      },
      async (request, reply) => {
        const p = request.params as { id?: string; externalId?: string };
        const key = p.externalId !== undefined ? { externalId: p.externalId } : { id: numericId(p.id!, "Pass") };
        return send(request, reply, await previews.pass(accountOf(request), key, optionsOf(request)));
      },
    );
  }
  for (const [path, params, form] of [
    ["/template/:templateId/preview", Type.Object({ templateId: NumericIdParam }), ""],
    ["/template/id/:externalId/preview", Type.Object({ externalId: ExternalIdParam }), " by external id"],
  ] as const) {
    app.get(
      path,
      {
        config: access("wtmp", "template"),
        schema: {
          tags,
          summary: `What a pass of the template with nothing of its own looks like${form}`,
          params,
          querystring: PreviewQuery,
          response: responses,
        },
      },
      async (request, reply) => {
        const p = request.params as { templateId?: string; externalId?: string };
        const key =
          p.externalId !== undefined ? { externalId: p.externalId } : { id: numericId(p.templateId!, "Template") };
        return send(request, reply, await previews.template(accountOf(request), key, optionsOf(request)));
      },
    );
  }
  app.post(
    "/template/preview",
    {
      config: access("wtmp", "account", { reads: true }),
      schema: {
        tags,
        summary: "What a template body (not saved) would look like: for live editing; nothing is stored",
        description:
          "The body is a template as POST /v1/template/{projectId} takes it, checked the same way (400 naming every " +
          "problem). Images given as data:image/png URIs are drawn; images named by URL are not fetched.",
        querystring: PreviewQuery,
        body: TemplateBody,
        response: responses,
      },
    },
    async (request, reply) =>
      send(request, reply, await previews.unsaved(accountOf(request), request.body, optionsOf(request))),
  );
};
