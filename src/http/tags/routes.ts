// HTTP ⇄ TagService: /v1/tag and the tags of a pass, in the forms Airship (and PassTools-era) clients use.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import { PaginationInfo, PaginationQuery } from "../../core/pagination.js";
import type { PassKey, PassService } from "../../core/passes/service.js";
import type { TagService } from "../../core/tags/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { Status } from "../passes/routes.js";
import { PassListResponse } from "../passes/schemas.js";
import { PassValuesBody } from "../schema-kit.js";

const tags = ["Tags"];
const TagName = Type.String({ minLength: 1, maxLength: 255 });
const TagQuery = Type.Intersect([PaginationQuery, Type.Object({ status: Type.Optional(Status) })]);
const TagsBody = Type.Union([
  Type.Object({ tags: Type.Array(TagName, { maxItems: 15 }) }, { additionalProperties: true }),
  Type.Array(TagName, { maxItems: 15 }),
]);
const TagObject = Type.Object({
  id: Type.Integer(),
  tag: Type.String(),
  name: Type.String(),
  createdAt: Type.String(),
});
const Success = { status: Type.Literal("success"), success: Type.Literal("success"), tagId: Type.Integer() };

const passKey = (p: { id?: string; externalId?: string }): PassKey =>
  p.externalId !== undefined ? { externalId: p.externalId } : { id: numericId(p.id!, "Pass") };

export const tagRoutes: FastifyPluginAsyncTypebox<{ tags: TagService; passes: PassService }> = async (
  app,
  { tags: service, passes },
) => {
  app.get(
    "/tag",
    {
      config: access("wpas", "account"),
      schema: {
        tags,
        summary: "List the account's tags, a page at a time (order: id, name, createdAt)",
        querystring: PaginationQuery,
        response: {
          200: Type.Object({
            count: Type.Integer(),
            pagination: PaginationInfo,
            tags: Type.Array(
              Type.Object({
                id: Type.Integer(),
                name: Type.String(),
                passCount: Type.Integer(),
                createdAt: Type.String(),
              }),
            ),
          }),
        },
      },
    },
    (request) => service.list(accountOf(request), request.query),
  );
  const ByTag = Type.Object({ tag: TagName });
  app.get(
    "/tag/:tag/passes",
    {
      config: access("wpas", "account"),
      schema: {
        tags,
        summary: "List the passes carrying a tag",
        params: ByTag,
        querystring: TagQuery,
        response: { 200: PassListResponse },
      },
    },
    (request) => passes.list(accountOf(request), request.query as never, request.params.tag),
  );
  app.put(
    "/tag/:tag/passes",
    {
      config: { ...access("wpas", "account"), heavy: true },
      schema: {
        tags,
        summary: "Update every pass carrying a tag (fields, headers)",
        params: ByTag,
        body: PassValuesBody,
        response: { 200: Type.Object({ ticketId: Type.Integer() }) },
      },
    },
    (request) => service.updateTagged(accountOf(request), request.params.tag, request.body),
  );
  app.delete(
    "/tag/:tag/passes",
    {
      config: access("wpas", "account"),
      schema: {
        tags,
        summary: "Take a tag off every pass (the tag stays)",
        params: ByTag,
        response: {
          200: Type.Object({ status: Type.Literal("success"), count: Type.Integer(), tagId: Type.Integer() }),
        },
      },
    },
    (request) => service.removeFromAll(accountOf(request), request.params.tag),
  );
  app.delete(
    "/tag/:tag",
    {
      config: access("wpas", "account"),
      schema: {
        tags,
        summary: "Delete a tag (and take it off its passes)",
        params: ByTag,
        response: { 200: Type.Object({ ...Success, count: Type.Integer() }) },
      },
    },
    (request) => service.delete(accountOf(request), request.params.tag),
  );

  for (const [base, params] of [
    ["/pass/:id", Type.Object({ id: NumericIdParam })],
    ["/pass/id/:externalId", Type.Object({ externalId: ExternalIdParam })],
  ] as const) {
    app.get(
      `${base}/tags`,
      {
        config: access("wpas", "pass"),
        schema: {
          tags,
          summary: "The tags of a pass",
          params,
          response: { 200: Type.Object({ tags: Type.Array(TagObject) }) },
        },
      },
      (request) => service.ofPass(accountOf(request), passKey(request.params)),
    );
    app.put(
      `${base}/tags`,
      {
        config: access("wpas", "pass"),
        schema: {
          tags,
          summary: "Add tags to a pass (at most 15 per pass); answers the tags that were new, and how many",
          params,
          body: TagsBody,
          response: {
            200: Type.Object(
              { newTags: Type.Array(Type.String()), mappings: Type.Integer() },
              { examples: [{ newTags: ["tag-name"], mappings: 1 }] },
            ),
          },
        },
      },
      (request) => service.addToPass(accountOf(request), passKey(request.params), request.body),
    );
  }

  for (const [path, params] of [
    ["/tag/:tag/pass/:id", Type.Object({ tag: TagName, id: NumericIdParam })],
    ["/tag/:tag/pass/id/:externalId", Type.Object({ tag: TagName, externalId: ExternalIdParam })],
  ] as const) {
    app.put(
      path,
      {
        config: access("wpas", "pass"),
        schema: {
          tags,
          summary: "Tag a pass",
          params,
          response: { 200: Type.Object({ ...Success, tag: Type.String(), passId: Type.Integer() }) },
        },
      },
      (request) => service.tagPass(accountOf(request), request.params.tag, passKey(request.params)),
    );
    app.delete(
      path,
      {
        config: access("wpas", "pass"),
        schema: {
          tags,
          summary: "Take a tag off a pass",
          params,
          response: { 200: Type.Object({ ...Success, passId: Type.Integer() }) },
        },
      },
      (request) => service.untagPass(accountOf(request), request.params.tag, passKey(request.params)),
    );
  }
};
