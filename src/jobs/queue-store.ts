// The job queue's writes: jobs added in SQL inside the transaction that makes the change they follow from (so a
// committed change always has its job). Pass changes reach it as the pass-event log's follower: a writer records
// its events, and the events that change what a phone shows queue its delivery. See docs/jobs.md.
import type { Queryable } from "../db/queryable.js";
import type { PassEventFollower, PassEventKind, PassSelection } from "../events/pass-event-store.js";

/** Adds one job; with a `jobKey`, a pending job with the same key is replaced (deduplication). */
export async function addJob(
  db: Queryable,
  task: string,
  payload: Record<string, unknown>,
  options: { jobKey?: string; maxAttempts?: number; runAt?: Date } = {},
): Promise<void> {
  await db.query(
    "SELECT (graphile_worker.add_job($1, $2::json, job_key := $3, max_attempts := $4::smallint, run_at := $5::timestamptz)).id",
    [task, JSON.stringify(payload), options.jobKey ?? null, options.maxAttempts ?? 25, options.runAt ?? null],
  );
}

export const PASS_CHANGED = "pass-changed";
export const PASSES_CHANGED = "passes-changed";
/** Passes per "passes changed" batch event. */
export const EVENT_BATCH_SIZE = 2000;
/** Up to this many passes get one keyed event each; more get batch events. */
const KEYED_LIMIT = 20;
/** A pass's changes within this window of its first are delivered together (one push, one Google write). */
const PASS_CHANGE_SETTLE_MS = 1000;

/** The events that change what a phone shows: each queues the passes' delivery (APNs push, Google object sync). */
export const DELIVERED_KINDS: ReadonlySet<PassEventKind> = new Set(["updated", "notified", "personalized"]);

/** The pass-event log's follower (composition.ts subscribes it): delivers the passes of a delivered kind. */
export const deliverPassEvents: PassEventFollower = async (db, passes, kinds) => {
  if (kinds.some((kind) => DELIVERED_KINDS.has(kind))) await enqueuePassDeliveries(db, passes);
};

/**
 * Queues the delivery of the chosen passes (given ids, or every pass of a template) at their current versions — as
 * the log's follower, or directly to send passes again with nothing new to record. A few passes get one job each, keyed by the pass and due ${PASS_CHANGE_SETTLE_MS} ms after the first
 * change, so a burst of changes to one pass is delivered once with the latest version. Set-based changes (bulk
 * updates, template-wide changes) get one "passes changed" job per ${EVENT_BATCH_SIZE} passes, so subscribers work
 * in batches (one lookup of devices, one Google class patch).
 */
export async function enqueuePassDeliveries(db: Queryable, passes: PassSelection): Promise<void> {
  if (Array.isArray(passes) && passes.length === 0) return;
  const [where, value] = Array.isArray(passes)
    ? ["p.id = ANY($1::int[])", passes]
    : ["p.template_id = $1", passes.templateId];
  if (Array.isArray(passes) && passes.length <= KEYED_LIMIT) {
    // Due a moment from the first change; later changes inside that window replace the pending job's payload but
    // keep its time (preserve run_at), so a burst of edits to one pass is delivered once, with the latest version.
    await db.query(
      `SELECT count(*)::int AS n FROM graphile_worker.add_jobs((
         SELECT COALESCE(array_agg(ROW(
           '${PASS_CHANGED}', json_build_object('passId', p.id, 'version', p.version), NULL,
           now() + interval '${PASS_CHANGE_SETTLE_MS} milliseconds', 25,
           '${PASS_CHANGED}:' || p.id, NULL, NULL)::graphile_worker.job_spec), '{}')
         FROM passes p WHERE ${where}), true)`,
      [value],
    );
    return;
  }
  await db.query(
    `SELECT count(*)::int AS n FROM graphile_worker.add_jobs((
       SELECT COALESCE(array_agg(ROW(
         '${PASSES_CHANGED}', json_build_object('passes', b.passes), NULL, NULL, 25, NULL, NULL, NULL
       )::graphile_worker.job_spec), '{}')
       FROM (SELECT json_agg(json_build_array(s.id, s.version) ORDER BY s.id) AS passes
               FROM (SELECT p.id, p.version, (row_number() OVER (ORDER BY p.id) - 1) / ${EVENT_BATCH_SIZE} AS chunk
                       FROM passes p WHERE ${where}) s
              GROUP BY s.chunk) b))`,
    [value],
  );
}

export const TEMPLATE_CHANGED = "template-changed";

/** Queues the sync of a template's own content (created, replaced, published): one keyed job per template. */
export async function enqueueTemplateSync(db: Queryable, templateId: number): Promise<void> {
  await addJob(db, TEMPLATE_CHANGED, { templateId }, { jobKey: `${TEMPLATE_CHANGED}:${templateId}` });
}
