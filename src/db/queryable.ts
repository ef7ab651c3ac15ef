// Lets SQL helpers that take a `Queryable` (pg style) run inside a Prisma transaction.
import type { Prisma } from "../generated/prisma/client.js";
import type { Queryable } from "../jobs/queue.js";

export function queryableOf(tx: Prisma.TransactionClient): Queryable {
  return {
    async query(textOrConfig, values = []) {
      const [text, params] =
        typeof textOrConfig === "string" ? [textOrConfig, values] : [textOrConfig.text, textOrConfig.values ?? []];
      const rows = await tx.$queryRawUnsafe<Record<string, unknown>[]>(text, ...params);
      return { rows, rowCount: rows.length } as never;
    },
  };
}
