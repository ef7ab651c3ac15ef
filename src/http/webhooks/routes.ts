// HTTP ⇄ WebhookEndpointService for /v0/webhookEndpoints (inside the Badge plugin: the same API keys).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { WebhookEndpointService } from "../../core/webhooks/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import {
  WebhookEndpointBody,
  WebhookEndpointDeleted,
  WebhookEndpointList,
  WebhookEndpointParams,
  WebhookEndpointResponse,
  WebhookEndpointWithSecret,
} from "./schemas.js";

const tags = ["Badge v0 webhooks"];
const params = WebhookEndpointParams;

export const webhookEndpointRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookEndpointService }> = async (
  app,
  { webhooks },
) => {
  app.post(
    "/webhookEndpoints",
    {
      config: access("wprj", "account"),
      schema: {
        tags,
        summary: "Create a webhook endpoint",
        description:
          "pass.activated and pass.deactivated events are POSTed to the URL, signed per Standard Webhooks " +
          "(webhook-id, webhook-timestamp, webhook-signature). The secret is answered only here and by rotateSecret.",
        body: WebhookEndpointBody,
        response: { 200: WebhookEndpointWithSecret },
      },
    },
    (request) => webhooks.create(accountOf(request), request.body),
  );
  app.get(
    "/webhookEndpoints",
    {
      config: access("wprj", "account"),
      schema: { tags, summary: "List the webhook endpoints", response: { 200: WebhookEndpointList } },
    },
    (request) => webhooks.list(accountOf(request)),
  );
  app.get(
    "/webhookEndpoints/:id",
    {
      config: access("wprj", "account"),
      schema: { tags, summary: "Get a webhook endpoint", params, response: { 200: WebhookEndpointResponse } },
    },
    (request) => webhooks.get(accountOf(request), request.params.id),
  );
  // PATCH is the update; PUT and POST on the endpoint do the same (only the fields given change).
  for (const method of ["PATCH", "PUT", "POST"] as const) {
    app.route({
      method,
      url: "/webhookEndpoints/:id",
      config: access("wprj", "account"),
      schema: {
        tags,
        summary: "Update a webhook endpoint (url, enabledTopics, enabled)",
        description: "Only the given fields change. Enabling an endpoint the server had disabled turns it back on.",
        params,
        body: WebhookEndpointBody,
        response: { 200: WebhookEndpointResponse },
      },
      handler: (request) => webhooks.update(accountOf(request), request.params.id, request.body),
    });
  }
  app.delete(
    "/webhookEndpoints/:id",
    {
      config: access("wprj", "account"),
      schema: { tags, summary: "Delete a webhook endpoint", params, response: { 200: WebhookEndpointDeleted } },
    },
    (request) => webhooks.delete(accountOf(request), request.params.id),
  );
  app.post(
    "/webhookEndpoints/:id/rotateSecret",
    {
      config: access("wprj", "account"),
      schema: {
        tags,
        summary: "Replace a webhook endpoint's signing secret",
        description: "The new secret is answered once; the previous one keeps signing alongside it for 24 hours.",
        params,
        response: { 200: WebhookEndpointWithSecret },
      },
    },
    (request) => webhooks.rotateSecret(accountOf(request), request.params.id),
  );
};
