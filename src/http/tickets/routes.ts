// GET /v1/ticket/{id}: our extension — the status and progress behind a ticketId.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { NumericIdParam, numericId } from "../../core/ids.js";
import type { TicketService } from "../../core/tickets/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { Described } from "../schema-kit.js";

export const ticketRoutes: FastifyPluginAsyncTypebox<{ tickets: TicketService }> = async (app, { tickets }) => {
  app.get(
    "/ticket/:id",
    {
      config: access("wpas", "account"),
      schema: {
        tags: ["Tickets"],
        summary: "Get ticket (status: pending, running, done, failed; progress {done,total})",
        params: Type.Object({ id: NumericIdParam }),
        response: {
          200: Described({
            id: Type.Integer(),
            ticketId: Type.Integer(),
            kind: Type.String(),
            status: Type.String({ description: "pending, running, done or failed" }),
            progress: Type.Object({ done: Type.Integer(), total: Type.Integer() }),
            errors: Type.Array(Type.Unknown()),
            templateId: Type.Optional(Type.Integer()),
            passId: Type.Optional(Type.Integer()),
            createdAt: Type.String(),
            updatedAt: Type.String(),
            finishedAt: Type.Optional(Type.String()),
          }),
        },
      },
    },
    (request) => tickets.get(accountOf(request), numericId(request.params.id, "Ticket")),
  );
};
