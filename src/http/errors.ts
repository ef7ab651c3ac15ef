// The error catalog and the one handler that renders every error as
// {"error": "<message>", "code": "<CODE>", "details": ..., "requestId": "..."}.
import type { FastifyError, FastifyInstance } from "fastify";
import { InvalidInput } from "../domain/invalid-input.js";

/** An error a caller can act on; `status` is the HTTP status, `code` stable across releases. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, "BAD_REQUEST", message, details);
export const validationFailed = (message: string, details?: unknown) =>
  new ApiError(400, "VALIDATION_FAILED", message, details);
export const unauthorized = (message = "Missing or invalid API credentials") =>
  new ApiError(401, "UNAUTHORIZED", message);
export const notFound = (what: string) => new ApiError(404, "NOT_FOUND", `${what} not found`);
export const conflict = (message: string, details?: unknown) => new ApiError(409, "CONFLICT", message, details);

interface ValidationIssue {
  instancePath?: string;
  message?: string;
  params?: Record<string, unknown>;
}

function describeValidation(error: FastifyError): { message: string; details: unknown } {
  const issues = (error.validation ?? []) as ValidationIssue[];
  const where = error.validationContext ?? "request";
  const details = issues.map((issue) => {
    const missing = issue.params?.missingProperty;
    const extra = issue.params?.additionalProperty;
    const base = (issue.instancePath ?? "").replace(/^\//, "").replaceAll("/", ".");
    const field = [base, missing ?? extra].filter(Boolean).join(".");
    return { location: where, field: field || undefined, message: issue.message };
  });
  const first = details[0];
  const message = first
    ? `Invalid ${where}${first.field ? ` field "${first.field}"` : ""}: ${first.message ?? "invalid"}`
    : error.message;
  return { message, details };
}

/**
 * Postgres data exceptions (SQLSTATE class 22: out of range, invalid text, NUL) and "statement too complex", also
 * as Prisma reports them (value too long, out of range, does not fit).
 */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return (
    /^22[0-9A-Z]{3}$/.test(code) || code === "54001" || ["P2000", "P2006", "P2007", "P2020", "P2033"].includes(code)
  );
}

/** Installs the not-found and error handlers that give every failure the JSON error shape. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: `Route ${request.method} ${request.url.split("?")[0]} not found`,
      code: "ROUTE_NOT_FOUND",
      requestId: request.id,
    });
  });

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      const retryAfter = (error as { retryAfterSeconds?: unknown }).retryAfterSeconds;
      if (typeof retryAfter === "number") reply.header("retry-after", String(retryAfter));
      reply.code(error.status).send({
        error: error.message,
        code: error.code,
        ...(error.details === undefined ? {} : { details: error.details }),
        requestId: request.id,
      });
      return;
    }
    if (error instanceof InvalidInput) {
      reply.code(400).send({ error: error.message, code: error.code, details: error.problems, requestId: request.id });
      return;
    }
    if (error.validation) {
      const { message, details } = describeValidation(error);
      reply.code(400).send({ error: message, code: "VALIDATION_FAILED", details, requestId: request.id });
      return;
    }
    if (isDataError(error)) {
      // A value the database refused (out of range, malformed): the edge and the schemas should have caught it.
      request.log.warn({ err: error }, "value refused by the database");
      reply.code(400).send({
        error: "A value in the request is out of range or malformed",
        code: "INVALID_VALUE",
        requestId: request.id,
      });
      return;
    }
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, unsupported media type, ...
      reply.code(status).send({ error: error.message, code: error.code ?? "BAD_REQUEST", requestId: request.id });
      return;
    }
    request.log.error({ err: error }, "request failed");
    reply.code(500).send({ error: "Internal server error", code: "INTERNAL", requestId: request.id });
  });
}
