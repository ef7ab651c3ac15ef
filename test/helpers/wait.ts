// Polling for what background jobs do: read until `ok` holds or the time is up, then return the last value (the
// caller's assertion then says what was missing).
export async function until<T>(read: () => T | Promise<T>, ok: (value: T) => boolean, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the job queue of `database` is empty (every call a change causes made), then a little longer. */
export async function jobsSettled(database: {
  query<R extends object>(text: string): Promise<{ rows: R[] }>;
}): Promise<void> {
  await until(
    async () =>
      (await database.query<{ n: number }>("SELECT count(*)::int AS n FROM graphile_worker._private_jobs")).rows[0]!.n,
    (n) => n === 0,
    30_000,
  );
  await new Promise((r) => setTimeout(r, 300));
}
