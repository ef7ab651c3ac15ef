// Maps driver errors to ours, for repositories.

/** A unique-constraint violation (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === "23505";

/** The largest id Postgres `integer` columns hold; larger numeric ids simply do not exist. */
export const MAX_INT_ID = 2_147_483_647;

/** Whether the error, or an error it wraps (its `cause`), carries one of these SQLSTATEs. */
export function hasErrorCode(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const { code, cause } = e as { code?: unknown; cause?: unknown };
    if (codes.has(String(code))) return true;
    e = cause;
  }
  return false;
}

/** A statement Postgres cancelled: it ran past the statement time limit (or an operator cancelled it). */
export const isCancelledStatement = (error: unknown): boolean => hasErrorCode(error, CANCELLED);
const CANCELLED = new Set(["57014"]);
