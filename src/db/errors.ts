// Maps driver errors to ours, for repositories.
import { Prisma } from "../generated/prisma/client.js";

export const isUniqueViolation = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";

export const isRecordNotFound = (error: unknown): boolean =>
  error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025";

/** The largest id Postgres `integer` columns hold; larger numeric ids simply do not exist. */
export const MAX_INT_ID = 2_147_483_647;
