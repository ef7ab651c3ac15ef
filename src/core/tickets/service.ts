// Tickets: the durable record behind every ticketId — pass updates (done at once) and template bulk updates
// (run by the template-bulk-update job in batches, with visible progress).

import type { TemplateDesign } from "../../domain/field-model.js";
import { notFound } from "../../errors.js";
import type { TicketRepository } from "./repository.js";

export class TicketService {
  constructor(private readonly tickets: TicketRepository) {}

  async get(accountId: number, id: number) {
    const ticket = await this.tickets.find(accountId, id);
    if (!ticket) throw notFound("Ticket");
    return {
      id: ticket.id,
      ticketId: ticket.id,
      kind: ticket.kind,
      status: ticket.status,
      progress: { done: ticket.done, total: ticket.total },
      errors: ticket.errors,
      ...(ticket.templateId === null ? {} : { templateId: ticket.templateId }),
      ...(ticket.passId === null ? {} : { passId: ticket.passId }),
      createdAt: ticket.createdAt.toISOString(),
      updatedAt: ticket.updatedAt.toISOString(),
      ...(ticket.finishedAt === null ? {} : { finishedAt: ticket.finishedAt.toISOString() }),
    };
  }

  /** Starts a template's bulk update (see TicketRepository.startBulkUpdate); returns the ticket id. */
  startBulkUpdate(accountId: number, templateId: number, design: TemplateDesign, paths: string[][]): Promise<number> {
    return this.tickets.startBulkUpdate(accountId, templateId, design, paths);
  }
}
