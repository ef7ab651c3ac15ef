// Maps driver errors to ours, for repositories.
import { Prisma } from "../generated/prisma/client.js";

/** A unique-constraint violation, from Prisma (P2002) or from a query on the pg pool (SQLSTATE 23505). */
export const isUniqueViolation = (error: unknown): boolean =>
  (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") ||
  (error as { code?: unknown } | null)?.code === "23505";

/** The largest id Postgres `integer` columns hold; larger numeric ids simply do not exist. */
export const MAX_INT_ID = 2_147_483_647;
