// Badge's v0 API: POST /v0/rpc/userPassUpsert and POST /v0/rpc/passSendPushNotification, and the webhook
// endpoints (/v0/webhookEndpoints), authenticated with the same API keys (Bearer <secret>, or Basic key:secret).

import { Type } from "@sinclair/typebox";
import type { FastifyInstance, FastifyPluginAsync } from "fastify";
import type { BadgeService } from "../../core/badge/service.js";
import type { WebhookEndpointService } from "../../core/webhooks/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { Described } from "../schema-kit.js";
import { webhookEndpointRoutes } from "../webhooks/routes.js";

export const badgeRoutes: FastifyPluginAsync<{
  badge: BadgeService;
  webhooks: WebhookEndpointService;
  /** Installs authentication on this scope (the same as /v1's). */
  auth: (app: FastifyInstance) => void;
}> = async (app, { badge, webhooks, auth }) => {
  auth(app);
  await app.register(webhookEndpointRoutes, { webhooks });
  app.post(
    "/rpc/userPassUpsert",
    {
      config: access("wpas", "account"),
      schema: {
        tags: ["Badge v0"],
        summary: "Create or update a user's pass",
        body: Described({
          passTemplateId: Type.Optional(Type.Unknown({ description: "Required: our template id or external id" })),
          user: Type.Optional(Type.Unknown({ description: "Required: {id, email?, attributes}" })),
          pass: Type.Optional(Type.Unknown({ description: "{id, attributes}" })),
        }),
        response: {
          200: Type.Object({ pass: Type.Object({ id: Type.String(), downloadUrl: Type.String() }) }),
        },
      },
    },
    (request) => badge.userPassUpsert(accountOf(request), request.body),
  );
  app.post(
    "/rpc/passSendPushNotification",
    {
      config: access("wnot", "account"),
      schema: {
        tags: ["Badge v0"],
        summary: "Show a message on the holder's phone",
        body: Described({
          passId: Type.Optional(Type.Unknown({ description: "Required: the Badge pass id" })),
          message: Type.Optional(Type.Unknown({ description: "Required: at most 500 characters" })),
        }),
        response: { 200: Type.Object({ pass: Type.Object({ id: Type.String() }), ticketId: Type.Integer() }) },
      },
    },
    (request) => badge.sendPushNotification(accountOf(request), request.body),
  );
};
