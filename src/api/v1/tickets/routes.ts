// GET /v1/ticket/{id}: our extension — the status and progress behind a ticketId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { accountOf } from "../../../http/auth.js";
import { NumericIdParam, numericId } from "../ids.js";
import type { TicketService } from "./service.js";

export const ticketRoutes: FastifyPluginAsyncTypebox<{ tickets: TicketService }> = async (app, { tickets }) => {
  app.get(
    "/ticket/:id",
    {
      schema: {
        tags: ["Tickets"],
        summary: "Get ticket (status: pending, running, done, failed; progress {done,total})",
        params: Type.Object({ id: NumericIdParam }),
      },
    },
    (request) => tickets.get(accountOf(request), numericId(request.params.id, "Ticket")),
  );
};
