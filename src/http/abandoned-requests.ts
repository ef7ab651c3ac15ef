// A request whose client goes away, or that passes the request timeout, is abandoned: the statements it still runs
// stop (db/cancellation.ts) instead of holding a connection and their locks for nobody.
import type { FastifyInstance } from "fastify";
import { cancellingWith } from "../db/cancellation.js";

export function stopAbandonedRequests(app: FastifyInstance): void {
  app.addHook("onRequest", (_request, reply, done) => {
    const abandoned = new AbortController();
    reply.raw.once("close", () => {
      if (!reply.raw.writableFinished) abandoned.abort();
    });
    cancellingWith(abandoned.signal, done);
  });
}
