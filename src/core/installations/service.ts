// Where a pass is installed, as its wallet reports it (domain/wallet-port.ts): each Apple device registered for it
// through the PassKit web service, or the Android save Google's callback reported. Paged: a shared pass may be on
// many thousands of phones.

import type { Vendor } from "../../domain/vendors.js";
import type { Installation, WalletAdapter } from "../../domain/wallet-port.js";
import { notFound } from "../../errors.js";
import type { PaginationQuery } from "../pagination.js";
import { resolvePage } from "../pagination.js";
import type { PassKey } from "../passes/service.js";

export interface InstallationDeps {
  /** The pass a key names in the account (404 otherwise). */
  readonly passes: { find(accountId: number, key: PassKey): Promise<{ id: number }> };
  readonly vendorOf: (passId: number) => Promise<string | undefined>;
  readonly wallets: Record<Vendor, Pick<WalletAdapter, "installations">>;
}

const answer = (i: Installation) => ({
  platform: i.platform,
  ...(i.device === undefined ? {} : { deviceLibraryIdentifier: i.device }),
  installedAt: i.since.toISOString(),
});

export class InstallationService {
  constructor(private readonly deps: InstallationDeps) {}

  async list(accountId: number, key: PassKey, query: Pick<PaginationQuery, "page" | "pageSize">) {
    const { id } = await this.deps.passes.find(accountId, key);
    const vendor = await this.deps.vendorOf(id);
    if (vendor === undefined) throw notFound("Pass"); // deleted meanwhile
    // Oldest first, always: the order of installation.
    const page = resolvePage({ ...query, order: "installedAt", direction: "ASC" }, ["installedAt"], "installedAt");
    const { count, rows } = await this.deps.wallets[vendor as Vendor].installations(id, {
      offset: page.start,
      limit: page.pageSize,
    });
    return {
      passId: id,
      count,
      pagination: {
        order: page.order,
        direction: page.direction,
        page: page.page,
        start: page.start,
        pageSize: page.pageSize,
      },
      installations: rows.map(answer),
    };
  }
}
