// The query interface every store runs SQL on (pg style), and the adapter that lets it run inside a Prisma
// transaction.
import type pg from "pg";
import type { Prisma } from "../generated/prisma/client.js";

/** The pool, a client in a transaction, or a Prisma transaction (queryableOf): what repositories run SQL on. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}

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
