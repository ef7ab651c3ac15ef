// A pass's history, read from the pass-event log: when it was made, changed, notified, installed and removed, on
// which platform and device. The log keeps events for PASS_EVENT_RETENTION_DAYS (default 400), so older history
// is gone. Newest first, paged by the id of the last event seen.

import type { Queryable } from "../../db/queryable.js";
import { passHistory } from "../../events/pass-event-store.js";

export { PASS_EVENT_KINDS } from "../../events/pass-event-store.js";

import { limitOf } from "../pagination.js";
import type { PassKey } from "../passes/service.js";

export const MAX_HISTORY_PAGE = 200;

export interface PassHistoryDeps {
  readonly db: Queryable;
  /** The pass a key names in the account (404 otherwise). */
  readonly passes: { find(accountId: number, key: PassKey): Promise<{ id: number }> };
}

export class PassHistoryService {
  constructor(private readonly deps: PassHistoryDeps) {}

  async list(accountId: number, key: PassKey, query: { limit?: string; before?: string }) {
    const limit = limitOf(query.limit, MAX_HISTORY_PAGE);
    const { id } = await this.deps.passes.find(accountId, key);
    const rows = await passHistory(this.deps.db, id, limit + 1, query.before);
    const events = rows.slice(0, limit).map((e) => ({
      id: e.id,
      kind: e.kind,
      at: e.at.toISOString(),
      ...(e.version === null ? {} : { version: e.version }),
      ...(e.platform === null ? {} : { platform: e.platform }),
      ...(e.device === null ? {} : { deviceLibraryIdentifier: e.device }),
    }));
    return { passId: id, events, ...(rows.length > limit ? { next: events[events.length - 1]!.id } : {}) };
  }
}
