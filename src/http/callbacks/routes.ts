// HTTP ⇄ CallbackService for /v1/project/{projectId}/settings/callback and its external-id form.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { CallbackService } from "../../core/callbacks/service.js";
import { projectKeyOf } from "../../core/projects/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { ProjectExternalIdParams, ProjectIdParams } from "../projects/schemas.js";
import { CallbackBody, CallbackDeleteResponse, CallbackResponse } from "./schemas.js";

const tags = ["Callbacks"];

export const callbackRoutes: FastifyPluginAsyncTypebox<{ callbacks: CallbackService }> = async (app, { callbacks }) => {
  for (const [path, params, form] of [
    ["/project/:projectId/settings/callback", ProjectIdParams, ""],
    ["/project/id/:externalId/settings/callback", ProjectExternalIdParams, " (external ID)"],
  ] as const) {
    app.post(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Set the project's callback${form}`,
          description:
            "Install, uninstall and personalize events are POSTed to {baseUrl}/v1/pass/install, /v1/pass/uninstall " +
            "and /v1/pass/{passId}/personalize with these headers and X-Wallet-Event-Id; retried for a day.",
          params,
          body: CallbackBody,
          response: { 200: CallbackResponse },
        },
      },
      (request) => callbacks.set(accountOf(request), projectKeyOf(request.params), request.body),
    );
    app.get(
      path,
      {
        config: access("wprj", "project"),
        schema: { tags, summary: `Get the project's callback${form}`, params, response: { 200: CallbackResponse } },
      },
      (request) => callbacks.get(accountOf(request), projectKeyOf(request.params)),
    );
    app.delete(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Remove the project's callback${form}`,
          params,
          response: { 200: CallbackDeleteResponse },
        },
      },
      (request) => callbacks.delete(accountOf(request), projectKeyOf(request.params)),
    );
  }
};
