// Adaptive link routes: the API (/v1/links/adaptive…, with an API key) and the public pass URLs phones open
// (/v1/pass/adaptive/{id}[/ios|android|web], no key: the link id is the credential).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyReply } from "fastify";
import { type Device, deviceOf } from "../../core/adaptive-links/devices.js";
import { renderLandingPage } from "../../core/adaptive-links/landing-page.js";
import type { Outcome, PassFromLink } from "../../core/adaptive-links/pass-from-link.js";
import type { LinkKey } from "../../core/adaptive-links/repository.js";
import type { AdaptiveLinkService } from "../../core/adaptive-links/service.js";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import { PaginationQuery } from "../../core/pagination.js";
import { PASS_STATUSES } from "../../core/passes/repository.js";
import { PKPASS_TYPE, PKPASSES_TYPE } from "../../domain/wallet-port.js";
import { access, type Owner } from "../access.js";
import { accountOf } from "../auth.js";
import { PassRequestBody } from "../passes/schemas.js";
import {
  AdaptivePassResponses,
  LinkBody,
  LinkDeleteResponse,
  LinkListResponse,
  LinkPassesByExternalIdResponse,
  LinkPassesResponse,
  LinkPassesUpdateResponse,
  LinkResponse,
  MultipleLinksBody,
  MultipleLinksResponse,
} from "./schemas.js";

const LinkIdParam = Type.String({ pattern: "^[A-Za-z0-9_-]{1,64}$" });
const ListQuery = Type.Object({
  pageSize: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$" })),
  nextPageToken: Type.Optional(Type.String({ maxLength: 100 })),
});
const PassesQuery = Type.Intersect([
  PaginationQuery,
  Type.Object({ status: Type.Optional(Type.Union(PASS_STATUSES.map((s) => Type.Literal(s)))) }),
]);
const tags = ["Adaptive links"];

export const adaptiveLinkRoutes: FastifyPluginAsyncTypebox<{ links: AdaptiveLinkService }> = async (app, { links }) => {
  app.get(
    "/links/adaptive",
    {
      config: access("wadl", "account"),
      schema: {
        tags,
        summary: "List the account's adaptive links",
        querystring: ListQuery,
        response: { 200: LinkListResponse },
      },
    },
    (request) => links.list(accountOf(request), {}, request.query),
  );
  app.post(
    "/links/adaptive",
    {
      config: access("wadl", "account"),
      schema: { tags, summary: "Create an adaptive link", body: LinkBody, response: { 200: LinkResponse } },
    },
    (request) => links.create(accountOf(request), request.body),
  );
  for (const [path, params, form] of [
    ["/links/adaptive/multiple/project/:projectId", Type.Object({ projectId: NumericIdParam }), ""],
    [
      "/links/adaptive/multiple/project/id/:projectExternalId",
      Type.Object({ projectExternalId: ExternalIdParam }),
      " (project external ID)",
    ],
  ] as const) {
    app.post(
      path,
      {
        config: access("wadl", "project"),
        schema: {
          tags,
          summary: `Create boarding-pass or event-ticket adaptive links (one per passenger or attendee)${form}`,
          params,
          body: MultipleLinksBody,
          response: { 200: MultipleLinksResponse },
        },
      },
      async (request) => {
        const accountId = accountOf(request);
        const p = request.params as { projectId?: string; projectExternalId?: string };
        const projectId = await links.projectId(
          accountId,
          p.projectId !== undefined ? { id: numericId(p.projectId, "Project") } : { externalId: p.projectExternalId! },
        );
        return links.createMultiple(accountId, projectId, request.body);
      },
    );
  }
  app.get(
    "/links/adaptive/projects/:projectId",
    {
      config: access("wadl", "project"),
      schema: {
        tags,
        summary: "List a project's adaptive links",
        params: Type.Object({ projectId: NumericIdParam }),
        querystring: ListQuery,
        response: { 200: LinkListResponse },
      },
    },
    async (request) => {
      const accountId = accountOf(request);
      const projectId = await links.projectId(accountId, { id: numericId(request.params.projectId, "Project") });
      return links.list(accountId, { projectId }, request.query);
    },
  );
  app.get(
    "/links/adaptive/projects/:projectId/templates/:templateId",
    {
      config: access("wadl", "project"),
      schema: {
        tags,
        summary: "List a template's adaptive links",
        params: Type.Object({ projectId: NumericIdParam, templateId: NumericIdParam }),
        querystring: ListQuery,
        response: { 200: LinkListResponse },
      },
    },
    async (request) => {
      const accountId = accountOf(request);
      const projectId = await links.projectId(accountId, { id: numericId(request.params.projectId, "Project") });
      return links.list(
        accountId,
        { projectId, templateId: numericId(request.params.templateId, "Template") },
        request.query,
      );
    },
  );

  // One link, by id or by external id (in a project named by id or external id).
  const forms: Array<{
    path: string;
    params: ReturnType<typeof Type.Object>;
    owner: Owner;
    key: (accountId: number, p: Record<string, string>) => Promise<LinkKey>;
  }> = [
    {
      path: "/links/adaptive/:linkId",
      params: Type.Object({ linkId: LinkIdParam }),
      owner: "link",
      key: async (_a, p) => ({ id: p.linkId! }),
    },
    {
      path: "/links/adaptive/project/:projectId/id/:externalId",
      params: Type.Object({ projectId: NumericIdParam, externalId: ExternalIdParam }),
      owner: "project",
      key: async (a, p) => ({
        projectId: await links.projectId(a, { id: numericId(p.projectId!, "Project") }),
        externalId: p.externalId!,
      }),
    },
    {
      path: "/links/adaptive/project/id/:projectExternalId/id/:externalId",
      params: Type.Object({ projectExternalId: ExternalIdParam, externalId: ExternalIdParam }),
      owner: "project",
      key: async (a, p) => ({
        projectId: await links.projectId(a, { externalId: p.projectExternalId! }),
        externalId: p.externalId!,
      }),
    },
  ];
  for (const form of forms) {
    const byKey = async (request: { params: unknown }, accountId: number) =>
      form.key(accountId, request.params as Record<string, string>);
    app.get(
      form.path,
      {
        config: access("wadl", form.owner),
        schema: { tags, summary: "Get an adaptive link", params: form.params, response: { 200: LinkResponse } },
      },
      async (request) => {
        const accountId = accountOf(request);
        return links.get(accountId, await byKey(request, accountId));
      },
    );
    app.put(
      form.path,
      {
        config: access("wadl", form.owner),
        schema: {
          tags,
          summary: "Update an adaptive link (partial)",
          params: form.params,
          body: LinkBody,
          response: { 200: LinkResponse },
        },
      },
      async (request) => {
        const accountId = accountOf(request);
        return links.update(accountId, await byKey(request, accountId), request.body);
      },
    );
    app.delete(
      form.path,
      {
        config: access("wadl", form.owner),
        schema: {
          tags,
          summary: "Delete an adaptive link",
          params: form.params,
          response: { 200: LinkDeleteResponse },
        },
      },
      async (request) => {
        const accountId = accountOf(request);
        return links.delete(accountId, await byKey(request, accountId));
      },
    );
    app.get(
      `${form.path}/passes`,
      {
        config: access("wadl", form.owner),
        schema: {
          tags,
          summary: "Passes made from an adaptive link",
          params: form.params,
          querystring: PassesQuery,
          response: { 200: LinkPassesResponse },
        },
      },
      async (request) => {
        const accountId = accountOf(request);
        return links.passes(accountId, await byKey(request, accountId), request.query);
      },
    );
    const passParams = Type.Intersect([form.params, Type.Object({ passExternalId: ExternalIdParam })]);
    app.get(
      `${form.path}/passes/id/:passExternalId`,
      {
        config: access("wadl", form.owner),
        schema: {
          tags,
          summary: "A link's passes with this external id",
          params: passParams,
          response: { 200: LinkPassesByExternalIdResponse },
        },
      },
      async (request) => {
        const accountId = accountOf(request);
        const params = request.params as Record<string, string>;
        return links.passesByExternalId(accountId, await byKey(request, accountId), params.passExternalId!);
      },
    );
    app.put(
      `${form.path}/passes/id/:passExternalId`,
      {
        config: access("wadl", form.owner),
        schema: {
          tags,
          summary: "Update a link's passes with this external id",
          params: passParams,
          body: PassRequestBody,
          response: { 200: LinkPassesUpdateResponse },
        },
      },
      async (request) => {
        const accountId = accountOf(request);
        const params = request.params as Record<string, string>;
        return links.updatePassesByExternalId(
          accountId,
          await byKey(request, accountId),
          params.passExternalId!,
          request.body,
        );
      },
    );
    if (form.path !== "/links/adaptive/:linkId") {
      app.post(
        form.path,
        {
          config: access("wadl", form.owner),
          schema: {
            tags,
            summary: "Create an adaptive link with this external id",
            params: form.params,
            body: LinkBody,
            response: { 200: LinkResponse },
          },
        },
        async (request) => {
          const accountId = accountOf(request);
          const key = (await byKey(request, accountId)) as { projectId: number; externalId: string };
          return links.create(accountId, request.body, key);
        },
      );
    }
  }
};

async function send(reply: FastifyReply, outcome: Outcome) {
  if (outcome.kind === "pkpass") {
    return reply.header("content-type", PKPASS_TYPE).header("cache-control", "no-store").send(outcome.body);
  }
  if (outcome.kind === "pkpasses") {
    return reply
      .header("content-type", PKPASSES_TYPE)
      .header("content-disposition", 'attachment; filename="passes.pkpasses"')
      .header("cache-control", "no-store")
      .send(outcome.body);
  }
  if (outcome.kind === "redirect") return reply.header("cache-control", "no-store").redirect(outcome.location, 302);
  const { html, csp } = await renderLandingPage(outcome.page);
  return reply
    .code(outcome.status)
    .header("content-type", "text/html; charset=utf-8")
    .header("content-security-policy", csp)
    .header("x-content-type-options", "nosniff")
    .header("x-frame-options", "DENY")
    .header("referrer-policy", "no-referrer")
    .header("cross-origin-opener-policy", "same-origin")
    .header("cache-control", "no-store")
    .send(html);
}

/** The URLs phones open: no API key. */
export const adaptivePassRoutes: FastifyPluginAsyncTypebox<{ passFromLink: PassFromLink }> = async (
  app,
  { passFromLink },
) => {
  const query = Type.Record(Type.String({ maxLength: 255 }), Type.String({ maxLength: 2000 }), { maxProperties: 64 });
  app.get(
    "/pass/adaptive",
    {
      schema: {
        tags,
        summary:
          "Several adaptive links' passes at once (at most 10): one .pkpasses, one Google save link, or the page",
        description:
          "Each link's pass as a plain visit gets it, spending that link's availablePasses. An expired link is a 410 " +
          "naming it, an unknown one a 404; a link without a template for the device, or Google passes of different " +
          "issuers, a 409.",
        querystring: Type.Object(
          {
            ids: Type.String({ minLength: 1, maxLength: 700, description: "Adaptive link ids, comma-separated" }),
            device: Type.Optional(
              Type.Union([Type.Literal("ios"), Type.Literal("android"), Type.Literal("web")], {
                description: "Instead of the User-Agent's",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        security: [],
        response: AdaptivePassResponses,
      },
    },
    async (request, reply) =>
      send(
        reply,
        await passFromLink.handleMany(
          request.query.ids,
          (request.query.device as Device | undefined) ?? deviceOf(request.headers["user-agent"]),
        ),
      ),
  );
  app.get(
    "/pass/adaptive/:linkId",
    {
      schema: {
        tags,
        summary: "A pass from an adaptive link, for the device the User-Agent names",
        params: Type.Object({ linkId: LinkIdParam }),
        querystring: query,
        security: [],
        response: AdaptivePassResponses,
      },
    },
    async (request, reply) =>
      send(
        reply,
        await passFromLink.handle(request.params.linkId, deviceOf(request.headers["user-agent"]), request.query),
      ),
  );
  app.get(
    "/pass/adaptive/:linkId/:device",
    {
      schema: {
        tags,
        summary:
          "A pass from an adaptive link for this device: ios (.pkpass), android (302 to Google), web (landing page)",
        params: Type.Object({
          linkId: LinkIdParam,
          device: Type.Union([Type.Literal("ios"), Type.Literal("android"), Type.Literal("web")]),
        }),
        querystring: query,
        security: [],
        response: AdaptivePassResponses,
      },
    },
    async (request, reply) =>
      send(reply, await passFromLink.handle(request.params.linkId, request.params.device as Device, request.query)),
  );
};
