// Statements run for a request stop when the request does (its client went away, or it ran past the server's
// request timeout): the request's work runs in a scope carrying an abort signal, and a statement still running when
// the signal fires has its connection dropped. Postgres checks each statement's client every CONNECTION_CHECK_MS
// (client_connection_check_interval, Postgres ≥ 14), so it ends the statement and rolls its transaction back
// within that time. Dropping the connection, rather than sending a cancel request by process id, cannot reach a
// statement of another request that reused the connection meanwhile: a dropped connection is never reused.
import { AsyncLocalStorage } from "node:async_hooks";
import type pg from "pg";

const scope = new AsyncLocalStorage<AbortSignal>();

/** How often Postgres checks, during a statement, that its client is still connected (ms). */
export const CONNECTION_CHECK_MS = 1000;

/** The connection option that sets it (a DATABASE_URL naming its own `options` keeps those instead). */
export const CONNECTION_CHECK_OPTION = `-c client_connection_check_interval=${CONNECTION_CHECK_MS}`;

/** Runs `work`, and everything it starts, so that the statements it runs stop when `signal` aborts. */
export function cancellingWith<T>(signal: AbortSignal, work: () => T): T {
  return scope.run(signal, work);
}

type Query = (...args: unknown[]) => unknown;

/** Gives the pool's connections the behaviour above (each as it is made). */
export function dropConnectionsOfAbandonedStatements(pool: pg.Pool): void {
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as Query;
    // A dropped connection's client reports the end as an error: its statement fails with it, nothing else must.
    client.on("error", () => {});
    const drop = () =>
      (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    (client as unknown as { query: Query }).query = (...args) => {
      const signal = scope.getStore();
      if (!signal) return query(...args);
      if (signal.aborted) return Promise.reject(new Error("the request went away before this statement"));
      signal.addEventListener("abort", drop, { once: true });
      const done = () => signal.removeEventListener("abort", drop);
      const callback = args[args.length - 1];
      if (typeof callback === "function") {
        args[args.length - 1] = (...results: unknown[]) => {
          done();
          (callback as (...r: unknown[]) => void)(...results);
        };
        return query(...args);
      }
      const result = query(...args);
      if (result && typeof (result as Promise<unknown>).then === "function") {
        (result as Promise<unknown>).then(done, done);
      } else done();
      return result;
    };
  });
}
