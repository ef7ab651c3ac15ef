// POST /google/callback: Google Wallet's save/delete callbacks (verified by GoogleCallbacks; no API key).
import type { FastifyPluginAsync } from "fastify";
import type { GoogleCallbacks } from "../../google/callback.js";

export const googleCallbackRoutes: FastifyPluginAsync<{ callbacks: GoogleCallbacks }> = async (app, { callbacks }) => {
  // Google's signed messages are a few kilobytes; an anonymous caller may not send more.
  app.post("/callback", { schema: { hide: true }, bodyLimit: 64 * 1024 }, (request) => callbacks.receive(request.body));
};
