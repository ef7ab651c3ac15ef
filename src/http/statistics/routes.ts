// HTTP ⇄ StatisticsService: `…/stats` of a pass external id, a pass, a template and a project, and
// `…/activity[/{start}/{end}]` of a template and a project (each also in its id/{externalId} form).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, keyOf, NumericIdParam } from "../../core/ids.js";
import type { StatisticsService } from "../../core/statistics/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { ActivityQuery, ActivityResponse, StatsResponse } from "./schemas.js";

const tags = ["Statistics"];
const DateParam = Type.String({ maxLength: 10 });

export const statisticsRoutes: FastifyPluginAsyncTypebox<{ statistics: StatisticsService }> = async (
  app,
  { statistics },
) => {
  const stats = { 200: StatsResponse };
  app.get(
    "/pass/id/:externalId/stats",
    {
      config: { ...access("wrpt", "pass"), heavy: true },
      schema: {
        tags,
        summary: "Statistics of the passes with an external id",
        params: Type.Object({ externalId: ExternalIdParam }),
        response: stats,
      },
    },
    (request) => statistics.passStats(accountOf(request), { externalId: request.params.externalId }),
  );
  app.get(
    "/pass/:id/stats",
    {
      config: { ...access("wrpt", "pass"), heavy: true },
      schema: {
        tags,
        summary: "Statistics of a pass",
        params: Type.Object({ id: NumericIdParam }),
        response: stats,
      },
    },
    (request) => statistics.passStats(accountOf(request), keyOf({ id: request.params.id }, "Pass") as { id: number }),
  );
  for (const [resource, label] of [
    ["template", "a template"],
    ["project", "a project"],
  ] as const) {
    for (const [form, params] of [
      [":id", Type.Object({ id: NumericIdParam })],
      ["id/:externalId", Type.Object({ externalId: ExternalIdParam })],
    ] as const) {
      const key = (p: { id?: string; externalId?: string }) =>
        keyOf(p, resource === "template" ? "Template" : "Project");
      app.get(
        `/${resource}/${form}/stats`,
        {
          config: { ...access("wrpt", resource), heavy: true },
          schema: { tags, summary: `Statistics of ${label}`, params, response: stats },
        },
        (request) =>
          resource === "template"
            ? statistics.templateStats(accountOf(request), key(request.params))
            : statistics.projectStats(accountOf(request), key(request.params)),
      );
      const activity = (p: { id?: string; externalId?: string }, accountId: number, start?: string, end?: string) =>
        resource === "template"
          ? statistics.templateActivity(accountId, key(p), start, end)
          : statistics.projectActivity(accountId, key(p), start, end);
      app.get(
        `/${resource}/${form}/activity`,
        {
          config: { ...access("wrpt", resource), heavy: true },
          schema: {
            tags,
            summary: `Daily activity of ${label} (?start=&end=, default the last 30 days)`,
            params,
            querystring: ActivityQuery,
            response: { 200: ActivityResponse },
          },
        },
        (request) => activity(request.params, accountOf(request), request.query.start, request.query.end),
      );
      app.get(
        `/${resource}/${form}/activity/:start/:end`,
        {
          config: { ...access("wrpt", resource), heavy: true },
          schema: {
            tags,
            summary: `Daily activity of ${label} between two dates (YYYY-MM-DD, inclusive)`,
            params: Type.Intersect([params, Type.Object({ start: DateParam, end: DateParam })]),
            response: { 200: ActivityResponse },
          },
        },
        (request) => activity(request.params, accountOf(request), request.params.start, request.params.end),
      );
    }
  }
};
