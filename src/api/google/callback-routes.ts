// POST /google/callback: Google Wallet's save/delete callbacks (verified by GoogleCallbacks; no API key).
import type { FastifyPluginAsync } from "fastify";
import type { GoogleCallbacks } from "../../google/callback.js";

export const googleCallbackRoutes: FastifyPluginAsync<{ callbacks: GoogleCallbacks }> = async (app, { callbacks }) => {
  app.post("/callback", { schema: { hide: true } }, (request) => callbacks.receive(request.body));
};
