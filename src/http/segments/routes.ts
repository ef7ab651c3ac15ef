// HTTP ⇄ SegmentService: /v1/segments/{projectId}[/{segmentId}] and the segment forms of a pass update and a
// notification.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { PaginationQuery } from "../../core/pagination.js";
import type { SegmentService } from "../../core/segments/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { NotifyBody } from "../notifications/routes.js";
import { NoBody, PassValuesBody, TicketIdResponse } from "../schema-kit.js";
import {
  SegmentBody,
  SegmentList,
  SegmentOperation,
  SegmentParams,
  SegmentProjectParams,
  SegmentResponse,
} from "./schemas.js";

const tags = ["Segments"];

export const segmentRoutes: FastifyPluginAsyncTypebox<{ segments: SegmentService }> = async (app, { segments }) => {
  app.post(
    "/segments/:projectId",
    {
      config: access("wseg", "project"),
      schema: {
        tags,
        summary: "Create a segment",
        params: SegmentProjectParams,
        body: SegmentBody,
        response: { 200: SegmentOperation },
      },
    },
    (request) => segments.create(accountOf(request), request.params.projectId, request.body),
  );
  app.get(
    "/segments/:projectId",
    {
      config: access("wseg", "project"),
      schema: {
        tags,
        summary: "List the project's segments",
        params: SegmentProjectParams,
        querystring: PaginationQuery,
        response: { 200: SegmentList },
      },
    },
    (request) => segments.list(accountOf(request), request.params.projectId, request.query),
  );
  app.get(
    "/segments/:projectId/:segmentId",
    {
      config: { ...access("wseg", "project"), heavy: true },
      schema: {
        tags,
        summary: "Get a segment (with ?count=true, how many passes it selects now)",
        params: SegmentParams,
        querystring: Type.Object({ count: Type.Optional(Type.String({ maxLength: 5 })) }),
        response: { 200: SegmentResponse },
      },
    },
    (request) =>
      segments.get(
        accountOf(request),
        request.params.projectId,
        request.params.segmentId,
        request.query.count === "true",
      ),
  );
  app.put(
    "/segments/:projectId/:segmentId",
    {
      config: access("wseg", "project"),
      schema: {
        tags,
        summary: "Replace a segment's criteria and/or name",
        params: SegmentParams,
        body: SegmentBody,
        response: { 200: SegmentOperation },
      },
    },
    (request) => segments.update(accountOf(request), request.params.projectId, request.params.segmentId, request.body),
  );
  app.delete(
    "/segments/:projectId/:segmentId",
    {
      config: access("wseg", "project"),
      schema: {
        tags,
        summary: "Delete a segment (its criteria; the passes stay)",
        params: SegmentParams,
        response: { 204: NoBody("Deleted") },
      },
    },
    async (request, reply) => {
      await segments.delete(accountOf(request), request.params.projectId, request.params.segmentId);
      return reply.code(204).send();
    },
  );
  app.put(
    "/segments/:projectId/:segmentId/passes",
    {
      config: { ...access("wseg", "project"), heavy: true },
      schema: {
        tags,
        summary: "Update every pass the segment selects (fields, headers), in batches under one ticket",
        params: SegmentParams,
        body: PassValuesBody,
        response: { 200: TicketIdResponse },
      },
    },
    (request) =>
      segments.updatePasses(accountOf(request), request.params.projectId, request.params.segmentId, request.body),
  );
  app.post(
    "/segments/:projectId/:segmentId/notify",
    {
      config: { ...access("wnot", "project"), heavy: true },
      schema: {
        tags,
        summary: "Show a notification on every pass the segment selects",
        params: SegmentParams,
        body: NotifyBody,
        response: { 200: TicketIdResponse },
      },
    },
    (request) => segments.notify(accountOf(request), request.params.projectId, request.params.segmentId, request.body),
  );
  app.delete(
    "/segments/:projectId/:segmentId/notify",
    {
      config: { ...access("wnot", "project"), heavy: true },
      schema: {
        tags,
        summary: "Clear the notification from every pass the segment selects",
        params: SegmentParams,
        response: { 200: TicketIdResponse },
      },
    },
    (request) => segments.notify(accountOf(request), request.params.projectId, request.params.segmentId, null),
  );
};
