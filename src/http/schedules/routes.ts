// HTTP ⇄ ScheduleService: /v1/schedules/{projectId}[/{scheduleId}].
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ScheduleService } from "../../core/schedules/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { NoBody } from "../schema-kit.js";
import {
  ScheduleBody,
  ScheduleList,
  ScheduleListQuery,
  ScheduleParams,
  ScheduleProjectParams,
  ScheduleResponse,
} from "./schemas.js";

const tags = ["Schedules"];

export const scheduleRoutes: FastifyPluginAsyncTypebox<{ schedules: ScheduleService }> = async (app, { schedules }) => {
  app.post(
    "/schedules/:projectId",
    {
      config: { ...access("wsch", "project"), heavy: true },
      schema: {
        tags,
        summary: "Schedule a pass update",
        params: ScheduleProjectParams,
        body: ScheduleBody,
        response: { 200: ScheduleResponse },
      },
    },
    (request) => schedules.create(accountOf(request), request.params.projectId, request.body),
  );
  app.get(
    "/schedules/:projectId",
    {
      config: access("wsch", "project"),
      schema: {
        tags,
        summary: "List the project's schedules that have not run yet, soonest first, 100 a page (start, limit)",
        params: ScheduleProjectParams,
        querystring: ScheduleListQuery,
        response: { 200: ScheduleList },
      },
    },
    (request) => schedules.list(accountOf(request), request.params.projectId, request.query),
  );
  app.get(
    "/schedules/:projectId/:scheduleId",
    {
      config: access("wsch", "project"),
      schema: { tags, summary: "Get a schedule", params: ScheduleParams, response: { 200: ScheduleResponse } },
    },
    (request) => schedules.get(accountOf(request), request.params.projectId, request.params.scheduleId),
  );
  app.put(
    "/schedules/:projectId/:scheduleId",
    {
      config: { ...access("wsch", "project"), heavy: true },
      schema: {
        tags,
        summary: "Replace a schedule that has not run yet",
        params: ScheduleParams,
        body: ScheduleBody,
        response: { 200: ScheduleResponse },
      },
    },
    (request) =>
      schedules.replace(accountOf(request), request.params.projectId, request.params.scheduleId, request.body),
  );
  app.delete(
    "/schedules/:projectId/:scheduleId",
    {
      config: access("wsch", "project"),
      schema: { tags, summary: "Delete a schedule", params: ScheduleParams, response: { 204: NoBody("Deleted") } },
    },
    async (request, reply) => {
      await schedules.delete(accountOf(request), request.params.projectId, request.params.scheduleId);
      return reply.code(204).send();
    },
  );
};
