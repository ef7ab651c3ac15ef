// The Api-Revision header of the Airship API: 1.2 is the only revision; a request without one is read as 1.2.
import type { FastifyInstance } from "fastify";
import { AppError } from "../errors.js";

export const SUPPORTED_API_REVISIONS = ["1.2"] as const;

export function requireApiRevision(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const revision = request.headers["api-revision"];
    if (revision === undefined) return;
    const value = Array.isArray(revision) ? revision.join(",") : revision.trim();
    if (!(SUPPORTED_API_REVISIONS as readonly string[]).includes(value)) {
      throw new AppError(
        "UNSUPPORTED_API_REVISION",
        `Unsupported Api-Revision "${value.slice(0, 32)}"; supported: ${SUPPORTED_API_REVISIONS.join(", ")}`,
      );
    }
  });
}
