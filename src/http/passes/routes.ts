// HTTP ⇄ PassService for /v1/pass and its external-id forms (tags: ../tags).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { DownloadService } from "../../core/downloads/service.js";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import { PaginationQuery } from "../../core/pagination.js";
import { PASS_STATUSES } from "../../core/passes/repository.js";
import type { PassBody, PassService } from "../../core/passes/service.js";
import { AppError } from "../../errors.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { TicketIdResponse } from "../schema-kit.js";
import { ByExternal, ById, ByTemplateAndExternal, templatedKey } from "./keys.js";
import {
  DynamicPassResponse,
  ExternalIdUpdateResponse,
  PassDeleteResponse,
  PassListResponse,
  PassRequestBody,
  PassResponse,
  PassUpdateResponse,
} from "./schemas.js";

const tags = ["Passes"];
export const Status = Type.Union(PASS_STATUSES.map((s) => Type.Literal(s)));
export const PassListQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({ templateId: Type.Optional(NumericIdParam), status: Type.Optional(Status) }),
]);

/** Whether a pass's headers ask for a newer Apple layout, or make it an air boarding pass (which qualifies). */
const mayMissLayout = (headers: Record<string, { value?: unknown } | undefined>) =>
  headers.transitType?.value === "PKTransitTypeAir" || Array.isArray(headers.preferredStyleSchemes?.value);

export const passRoutes: FastifyPluginAsyncTypebox<{ passes: PassService; downloads: DownloadService }> = async (
  app,
  { passes, downloads },
) => {
  /** A pass answer, with the newer Apple layout it misses (said in the response, so the issuer sees it at once). */
  const withLayout = async <P extends { id: number; headers: unknown }>(accountId: number, pass: P) => {
    if (!mayMissLayout(pass.headers as Record<string, { value?: unknown }>)) return pass;
    const missing = await downloads.layoutMissing(accountId, pass.id);
    return missing ? { ...pass, walletLayoutMissing: missing } : pass;
  };
  app.get(
    "/pass",
    {
      config: access("wpas", "account"),
      schema: { tags, summary: "List passes", querystring: PassListQuery, response: { 200: PassListResponse } },
    },
    (request) => passes.list(accountOf(request), request.query as never),
  );

  // Create from a template (by id or external id), optionally with the pass's external id.
  for (const [path, params] of [
    ["/pass/:templateId", Type.Object({ templateId: NumericIdParam })],
    [
      "/pass/:templateId/id/:passExternalId",
      Type.Object({ templateId: NumericIdParam, passExternalId: ExternalIdParam }),
    ],
    [
      "/pass/template/:templateId/id/:passExternalId",
      Type.Object({ templateId: NumericIdParam, passExternalId: ExternalIdParam }),
    ],
    ["/pass/id/:templateExternalId", Type.Object({ templateExternalId: ExternalIdParam })],
    [
      "/pass/id/:templateExternalId/id/:passExternalId",
      Type.Object({ templateExternalId: ExternalIdParam, passExternalId: ExternalIdParam }),
    ],
  ] as const) {
    app.post(
      path,
      {
        config: access("wpas", "template"),
        schema: { tags, summary: "Create pass", params, body: PassRequestBody, response: { 200: PassResponse } },
      },
      async (request) => {
        const p = request.params as { templateId?: string; templateExternalId?: string; passExternalId?: string };
        const template =
          p.templateExternalId !== undefined
            ? { externalId: p.templateExternalId }
            : { id: numericId(p.templateId!, "Template") };
        const accountId = accountOf(request);
        return withLayout(
          accountId,
          await passes.create(accountId, template, request.body as PassBody, p.passExternalId),
        );
      },
    );
  }
  app.post(
    "/pass/:templateId/dynamic",
    {
      config: access("wpas", "template"),
      schema: {
        tags,
        summary: "Generate a pass (optionally expiring)",
        params: Type.Object({ templateId: NumericIdParam }),
        querystring: Type.Object({ expiry: Type.Optional(Type.String({ maxLength: 64 })) }),
        body: PassRequestBody,
        response: { 200: DynamicPassResponse },
      },
    },
    async (request) => {
      const pass = await passes.create(
        accountOf(request),
        { id: numericId(request.params.templateId, "Template") },
        request.body as PassBody,
        undefined,
        request.query.expiry,
      );
      return { id: pass.id, serialNumber: pass.serialNumber, url: pass.url };
    },
  );

  // The reference writes this call as `POST /v1/pass/{id}/dynamic&expiry=2017-05-18` (an "&" where "?" belongs);
  // clients copied from it send exactly that path.
  app.post(
    "/pass/:templateId/:dynamicWithExpiry",
    {
      config: access("wpas", "template"),
      schema: {
        hide: true,
        params: Type.Object({ templateId: NumericIdParam, dynamicWithExpiry: Type.String({ maxLength: 100 }) }),
        body: PassRequestBody,
        response: { 200: DynamicPassResponse },
      },
    },
    async (request) => {
      const match = /^dynamic&expiry=([^&]*)$/.exec(request.params.dynamicWithExpiry);
      if (!match) throw new AppError("ROUTE_NOT_FOUND", `Route POST ${request.url.split("?")[0]} not found`);
      const pass = await passes.create(
        accountOf(request),
        { id: numericId(request.params.templateId, "Template") },
        request.body as PassBody,
        undefined,
        decodeURIComponent(match[1]!),
      );
      return { id: pass.id, serialNumber: pass.serialNumber, url: pass.url };
    },
  );

  app.get(
    "/pass/:id",
    {
      config: access("wpas", "pass"),
      schema: { tags, summary: "Get pass", params: ById, response: { 200: PassResponse } },
    },
    async (request) =>
      withLayout(
        accountOf(request),
        await passes.get(accountOf(request), { id: numericId(request.params.id, "Pass") }),
      ),
  );
  app.put(
    "/pass/:id",
    {
      config: access("wpas", "pass"),
      schema: {
        tags,
        summary: "Update pass",
        params: ById,
        body: PassRequestBody,
        response: { 200: PassUpdateResponse },
      },
    },
    async (request) => {
      const accountId = accountOf(request);
      const id = numericId(request.params.id, "Pass");
      const updated = await passes.update(accountId, { id }, request.body as PassBody);
      const missing = await downloads.layoutMissing(accountId, id);
      return missing ? { ...updated, walletLayoutMissing: missing } : updated;
    },
  );
  app.delete(
    "/pass/:id",
    {
      config: access("wpas", "pass"),
      schema: { tags, summary: "Delete pass", params: ById, response: { 200: PassDeleteResponse } },
    },
    (request) => passes.delete(accountOf(request), { id: numericId(request.params.id, "Pass") }),
  );

  const ExternalQuery = Type.Object({ templateId: Type.Optional(NumericIdParam) });
  app.get(
    "/pass/id/:externalId",
    {
      config: access("wpas", "pass"),
      schema: {
        tags,
        summary: "Get pass by external id",
        params: ByExternal,
        querystring: ExternalQuery,
        response: { 200: PassResponse },
      },
    },
    (request) => {
      const templateId =
        request.query.templateId === undefined ? undefined : numericId(request.query.templateId, "Template");
      return passes.get(accountOf(request), { externalId: request.params.externalId, templateId });
    },
  );
  app.put(
    "/pass/id/:externalId",
    {
      config: access("wpas", "pass"),
      schema: {
        tags,
        summary: "Update pass by external id",
        params: ByExternal,
        body: PassRequestBody,
        response: { 200: ExternalIdUpdateResponse },
      },
    },
    (request) => passes.updateByExternalId(accountOf(request), request.params.externalId, request.body as PassBody),
  );
  app.delete(
    "/pass/id/:externalId",
    {
      config: access("wpas", "pass"),
      schema: {
        tags,
        summary: "Delete pass by external id",
        params: ByExternal,
        querystring: ExternalQuery,
        response: { 200: PassDeleteResponse },
      },
    },
    (request) => {
      const templateId =
        request.query.templateId === undefined ? undefined : numericId(request.query.templateId, "Template");
      return passes.delete(accountOf(request), { externalId: request.params.externalId, templateId });
    },
  );

  app.get(
    "/pass/template/:templateId/id/:externalId",
    {
      config: access("wpas", "template"),
      schema: {
        tags,
        summary: "Get pass by template and external id",
        params: ByTemplateAndExternal,
        response: { 200: PassResponse },
      },
    },
    (request) => passes.get(accountOf(request), templatedKey(request.params)),
  );
  app.put(
    "/pass/template/:templateId/id/:externalId",
    {
      config: access("wpas", "template"),
      schema: {
        tags,
        summary: "Update pass by template and external id",
        params: ByTemplateAndExternal,
        body: PassRequestBody,
        response: { 200: TicketIdResponse },
      },
    },
    (request) => passes.update(accountOf(request), templatedKey(request.params), request.body as PassBody),
  );

  app.delete(
    "/pass/template/:templateId/id/:externalId",
    {
      config: access("wpas", "template"),
      schema: {
        tags,
        summary: "Delete pass by template and external id",
        params: ByTemplateAndExternal,
        response: { 200: PassDeleteResponse },
      },
    },
    (request) => passes.delete(accountOf(request), templatedKey(request.params)),
  );
};
