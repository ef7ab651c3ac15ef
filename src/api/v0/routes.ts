// Badge's v0 RPC API: POST /v0/rpc/userPassUpsert and POST /v0/rpc/passSendPushNotification, authenticated with
// the same API keys (Bearer <secret>, or Basic key:secret).
import type { FastifyPluginAsync } from "fastify";
import type { ApiKeyService } from "../../accounts/api-keys.js";
import { accountOf, requireApiKey } from "../../http/auth.js";
import type { BadgeService } from "./service.js";

export const badgeRoutes: FastifyPluginAsync<{ badge: BadgeService; apiKeys: ApiKeyService }> = async (
  app,
  { badge, apiKeys },
) => {
  requireApiKey(app, apiKeys);
  app.post(
    "/rpc/userPassUpsert",
    { schema: { tags: ["Badge v0"], summary: "Create or update a user's pass" } },
    (request) => badge.userPassUpsert(accountOf(request), request.body),
  );
  app.post(
    "/rpc/passSendPushNotification",
    { schema: { tags: ["Badge v0"], summary: "Show a message on the holder's phone" } },
    (request) => badge.sendPushNotification(accountOf(request), request.body),
  );
};
