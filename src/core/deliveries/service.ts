// A project's outbound deliveries (its callback's, and its passes' Badge webhooks'), as an operator watches them:
// listed by state, newest first, and dead letters put back in the queue. The same queue `cli deliveries` reads.

import type { Delivery, DeliveryQueue, DeliveryState } from "../../deliveries/delivery-store.js";
import { GIVE_UP_AFTER_MS } from "../../deliveries/retry-policy.js";
import { AppError, notFound } from "../../errors.js";
import { limitOf } from "../pagination.js";
import type { ProjectKey } from "../projects/repository.js";

export const MAX_DELIVERY_PAGE = 200;

export interface DeliveryDeps {
  readonly queue: Pick<DeliveryQueue, "list" | "replay">;
  readonly projects: { findId(accountId: number, key: ProjectKey): Promise<number | null> };
}

const answer = (d: Delivery) => ({
  id: d.id,
  eventId: d.eventId,
  receiver: d.endpointId === null ? ("callback" as const) : ("webhook" as const),
  ...(d.endpointId === null ? {} : { endpointId: d.endpointId }),
  topic: d.topic,
  url: d.url,
  state: d.state,
  attempts: d.attempts,
  lastStatus: d.lastStatus,
  lastError: d.lastError,
  createdAt: d.createdAt.toISOString(),
  ...(d.state === "pending" ? { nextAttemptAt: d.nextAttemptAt.toISOString() } : {}),
  finishedAt: d.finishedAt?.toISOString() ?? null,
});

export class DeliveryService {
  constructor(private readonly deps: DeliveryDeps) {}

  private async projectId(accountId: number, key: ProjectKey): Promise<number> {
    const id = await this.deps.projects.findId(accountId, key);
    if (id === null) throw notFound("Project");
    return id;
  }

  async list(accountId: number, key: ProjectKey, query: { state?: DeliveryState; limit?: string; before?: string }) {
    const limit = limitOf(query.limit, MAX_DELIVERY_PAGE);
    const projectId = await this.projectId(accountId, key);
    const rows = await this.deps.queue.list(query.state ?? "dead", limit + 1, query.before, projectId);
    const deliveries = rows.slice(0, limit).map(answer);
    return {
      projectId,
      deliveries,
      ...(rows.length > limit ? { next: deliveries[deliveries.length - 1]!.id } : {}),
    };
  }

  /** Puts the project's dead letters (those named, or all) back in the queue; answers the ids replayed. */
  async replay(accountId: number, key: ProjectKey, body: { ids?: string[]; all?: boolean }) {
    const projectId = await this.projectId(accountId, key);
    if (!body.all && !body.ids?.length) {
      throw new AppError(
        "VALIDATION_FAILED",
        'Name the deliveries to replay ("ids"), or replay them all ("all": true)',
      );
    }
    const ids = body.all ? "all-dead" : (body.ids ?? []);
    const replayed = await this.deps.queue.replay(ids, GIVE_UP_AFTER_MS, projectId);
    return { projectId, replayed };
  }
}
