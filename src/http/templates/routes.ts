// HTTP ⇄ TemplateService for /v1/template: both the {id} and id/{externalId} forms of every operation.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, keyOf, NumericIdParam, numericId } from "../../core/ids.js";
import { PaginationQuery } from "../../core/pagination.js";
import type { PassService } from "../../core/passes/service.js";
import type { TemplateService } from "../../core/templates/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { PassListQuery } from "../passes/routes.js";
import { LocationsBody, PassListResponse } from "../passes/schemas.js";
import { TicketIdResponse } from "../schema-kit.js";
import {
  BulkUpdateBody,
  PersonalizationBody,
  PersonalizationResponse,
  TemplateBody,
  TemplateDeleteResponse,
  TemplateHeadersResponse,
  TemplateIdResponse,
  TemplateLocationDeleteResponse,
  TemplateLocationsResponse,
  TemplateResponse,
} from "./schemas.js";

const tags = ["Templates"];
const ById = Type.Object({ id: NumericIdParam });
const ByExternalId = Type.Object({ externalId: ExternalIdParam });

export const templateRoutes: FastifyPluginAsyncTypebox<{ templates: TemplateService; passes: PassService }> = async (
  app,
  { templates, passes },
) => {
  app.get(
    "/template/headers",
    {
      config: access("wtmp", "account"),
      schema: {
        tags,
        summary: "List template headers",
        querystring: PaginationQuery,
        response: { 200: TemplateHeadersResponse },
      },
    },
    (request) => templates.list(accountOf(request), request.query),
  );

  // Create: in a project given by id or external id, or (PassTools-era clients, no project) in the account's default
  // project; with or without a template external id. `template/id/{x}` names a template external id, as the
  // reference's GET, PUT and DELETE `template/id/{x}` do.
  // What each form reaches: the default project spans the account; a template external id alone names the
  // template (which must exist to be reached); the others name the project.
  const create = [
    ["/template", Type.Object({}), "account"],
    ["/template/id/:templateExternalId", Type.Object({ templateExternalId: ExternalIdParam }), "template"],
    ["/template/:projectId", Type.Object({ projectId: NumericIdParam }), "project"],
    [
      "/template/:projectId/id/:templateExternalId",
      Type.Object({ projectId: NumericIdParam, templateExternalId: ExternalIdParam }),
      "project",
    ],
    [
      "/template/project/id/:projectExternalId/id/:templateExternalId",
      Type.Object({ projectExternalId: ExternalIdParam, templateExternalId: ExternalIdParam }),
      "project",
    ],
    [
      "/template/id/:projectExternalId/id/:templateExternalId",
      Type.Object({ projectExternalId: ExternalIdParam, templateExternalId: ExternalIdParam }),
      "project",
    ],
  ] as const;
  for (const [path, params, owner] of create) {
    app.post(
      path,
      {
        config: access("wtmp", owner),
        schema: { tags, summary: "Create template", params, body: TemplateBody, response: { 200: TemplateIdResponse } },
      },
      (request) => {
        const p = request.params as { projectId?: string; projectExternalId?: string; templateExternalId?: string };
        const project =
          p.projectExternalId !== undefined
            ? { externalId: p.projectExternalId }
            : p.projectId !== undefined
              ? { id: numericId(p.projectId, "Project") }
              : ("default" as const);
        return templates.create(accountOf(request), project, request.body, p.templateExternalId);
      },
    );
  }

  for (const [base, params] of [
    ["/template/:id", ById],
    ["/template/id/:externalId", ByExternalId],
  ] as const) {
    const key = (p: { id?: string; externalId?: string }) => keyOf(p, "Template");
    app.get(
      base,
      {
        config: access("wtmp", "template"),
        schema: { tags, summary: "Get template", params, response: { 200: TemplateResponse } },
      },
      (request) => templates.get(accountOf(request), key(request.params)),
    );
    app.put(
      base,
      {
        config: access("wtmp", "template"),
        schema: {
          tags,
          summary: "Update template (full replace)",
          params,
          body: TemplateBody,
          response: { 200: TemplateIdResponse },
        },
      },
      (request) => templates.replace(accountOf(request), key(request.params), request.body),
    );
    app.delete(
      base,
      {
        config: access("wtmp", "template"),
        schema: { tags, summary: "Delete template", params, response: { 200: TemplateDeleteResponse } },
      },
      (request) => templates.delete(accountOf(request), key(request.params)),
    );
    app.post(
      `${base}/locations`,
      {
        config: access("wtmp", "template"),
        schema: {
          tags,
          summary: "Add locations to template",
          params,
          body: LocationsBody,
          response: { 200: TemplateLocationsResponse },
        },
      },
      (request) => templates.addLocations(accountOf(request), key(request.params), request.body),
    );
    app.delete(
      `${base}/location/:locationId`,
      {
        config: access("wtmp", "template"),
        schema: {
          tags,
          summary: "Delete location from template",
          params: Type.Intersect([params, Type.Object({ locationId: NumericIdParam })]),
          response: { 200: TemplateLocationDeleteResponse },
        },
      },
      (request) => {
        const p = request.params as { id?: string; externalId?: string; locationId: string };
        return templates.deleteLocation(accountOf(request), key(p), numericId(p.locationId, "Location"));
      },
    );
    app.get(
      `${base}/passes`,
      {
        config: access("wtmp", "template"),
        schema: {
          tags,
          summary: "Get template passes",
          params,
          querystring: PassListQuery,
          response: { 200: PassListResponse },
        },
      },
      async (request) => {
        const template = await templates.require(accountOf(request), key(request.params));
        const query = request.query as Record<string, string>;
        return passes.list(accountOf(request), { ...query, templateId: String(template.id) } as never);
      },
    );
    app.put(
      `${base}/passes`,
      {
        config: access("wtmp", "template"),
        schema: {
          tags,
          summary: "Publish a bulk update to passes",
          params,
          body: BulkUpdateBody,
          response: { 200: TicketIdResponse },
        },
      },
      (request) => templates.publishBulkUpdate(accountOf(request), key(request.params), request.body),
    );
    for (const method of ["get", "post", "put", "delete"] as const) {
      app[method](
        `${base}/personalization`,
        {
          config: access("wtmp", "template"),
          schema: {
            tags,
            summary: `${method.toUpperCase()} personalization requirements`,
            params,
            ...(method === "post" || method === "put" ? { body: PersonalizationBody } : {}),
            response: { 200: PersonalizationResponse },
          },
        },
        (request) => {
          const account = accountOf(request);
          const k = key(request.params);
          if (method === "get") return templates.getPersonalization(account, k);
          if (method === "delete") return templates.deletePersonalization(account, k);
          return templates.setPersonalization(account, k, request.body);
        },
      );
    }
  }

  for (const [path, params] of [
    ["/template/duplicate/:id", ById],
    ["/template/duplicate/id/:externalId", ByExternalId],
  ] as const) {
    app.post(
      path,
      {
        config: access("wtmp", "template"),
        schema: { tags, summary: "Duplicate template", params, response: { 200: TemplateIdResponse } },
      },
      (request) => templates.duplicate(accountOf(request), keyOf(request.params, "Template")),
    );
  }
};
