// Maps driver errors to ours, for repositories.
import { Prisma } from "../generated/prisma/client.js";

/** A unique-constraint violation, from Prisma (P2002) or from a query on the pg pool (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown): boolean =>
  (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") ||
  (error as { code?: unknown } | null)?.code === "23505";

/** The largest id Postgres `integer` columns hold; larger numeric ids simply do not exist. */
export const MAX_INT_ID = 2_147_483_647;

/** Whether the error, or the driver error Prisma wraps in it, carries one of these SQLSTATEs (or Prisma codes). */
export function hasErrorCode(error: unknown, codes: ReadonlySet<string>): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const { code, originalCode, meta, cause } = e as {
      code?: unknown;
      originalCode?: unknown;
      meta?: { driverAdapterError?: unknown };
      cause?: unknown;
    };
    if (codes.has(String(code)) || codes.has(String(originalCode))) return true;
    e = meta?.driverAdapterError ?? cause;
  }
  return false;
}

/** A statement Postgres cancelled: it ran past the statement time limit (or an operator cancelled it). */
export const isCancelledStatement = (error: unknown): boolean => hasErrorCode(error, CANCELLED);
const CANCELLED = new Set(["57014"]);
