// The query interface every store runs SQL on (pg style).
import type pg from "pg";

/** The pool, or a client in a transaction: what repositories run SQL on. */
export interface Queryable {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string | pg.QueryConfig,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
}
