// Requests whose database work grows with a tenant's data (resolving a segment's audience, counting it, statistics,
// set-based updates of every pass with a tag) are declared `heavy` by their routes. Each account may have at most
// `perAccount` of them running at once in a process; more answer 429 HEAVY_REQUESTS_BUSY with Retry-After, so one
// tenant's heavy requests cannot take every database connection from the others.
import type { FastifyInstance, FastifyRequest } from "fastify";
import { AppError } from "../errors.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** The route's database work grows with the tenant's data: limited per account (http/heavy-work.ts). */
    heavy?: boolean;
  }
  interface FastifyRequest {
    releaseHeavyWork?: () => void;
  }
}

/** Heavy requests one account may have running at once in one process (by default). */
export const HEAVY_REQUESTS_PER_ACCOUNT = 2;

class HeavyRequestsBusy extends AppError {
  readonly retryAfterSeconds = 1;
  constructor(limit: number) {
    super(
      "HEAVY_REQUESTS_BUSY",
      `This account already has ${limit} requests resolving audiences or statistics running; retry in 1 s`,
    );
  }
}

/** Limits the heavy routes registered in `app` (after authentication, which tells the account). */
export function limitHeavyWork(app: FastifyInstance, perAccount = HEAVY_REQUESTS_PER_ACCOUNT): void {
  const running = new Map<number, number>();
  const release = (request: FastifyRequest) => {
    request.releaseHeavyWork?.();
    request.releaseHeavyWork = undefined;
  };
  app.addHook("preHandler", async (request) => {
    if (!request.routeOptions.config.heavy || !request.principal) return;
    const account = request.principal.accountId;
    const now = running.get(account) ?? 0;
    if (now >= perAccount) throw new HeavyRequestsBusy(perAccount);
    running.set(account, now + 1);
    request.releaseHeavyWork = () => {
      const left = (running.get(account) ?? 1) - 1;
      if (left <= 0) running.delete(account);
      else running.set(account, left);
    };
  });
  app.addHook("onResponse", async (request) => release(request));
  app.addHook("onRequestAbort", async (request) => release(request));
}
