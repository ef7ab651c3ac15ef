// HTTP ⇄ DeliveryService: a project's callback and webhook deliveries, and the replay of its dead letters.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { DeliveryService } from "../../core/deliveries/service.js";
import { projectKeyOf } from "../../core/projects/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { ProjectExternalIdParams, ProjectIdParams } from "../projects/schemas.js";
import { DeliveriesQuery, DeliveriesResponse, ReplayBody, ReplayResponse } from "./schemas.js";

const tags = ["Callbacks"];

export const deliveryRoutes: FastifyPluginAsyncTypebox<{ deliveries: DeliveryService }> = async (
  app,
  { deliveries },
) => {
  for (const [path, params, form] of [
    ["/project/:projectId/deliveries", ProjectIdParams, ""],
    ["/project/id/:externalId/deliveries", ProjectExternalIdParams, " (external ID)"],
  ] as const) {
    app.get(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `The project's callback and webhook deliveries${form}`,
          description:
            "Newest first, by state (default dead: the dead letters), at most 200 a page; `next` pages on. " +
            "Delivered ones are kept 30 days, dead letters until replayed.",
          params,
          querystring: DeliveriesQuery,
          response: { 200: DeliveriesResponse },
        },
      },
      (request) => deliveries.list(accountOf(request), projectKeyOf(request.params), request.query),
    );
    app.post(
      `${path}/replay`,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Put the project's dead letters back in the queue${form}`,
          description:
            "The ids given (at most 1000), or every dead letter with `all: true`: due now, attempts from zero, a " +
            "new day to succeed in; each keeps its event id.",
          params,
          body: ReplayBody,
          response: { 200: ReplayResponse },
        },
      },
      (request) => deliveries.replay(accountOf(request), projectKeyOf(request.params), request.body),
    );
  }
};
