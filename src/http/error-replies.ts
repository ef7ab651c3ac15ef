// The one handler that renders every error as {"error": "<message>", "code": "<CODE>", "details": ...,
// "requestId": "..."}: the catalog's errors (src/errors.ts) as they are, Fastify's own client errors with the
// catalog's codes, and anything else as a 500 whose message is hidden.
import type { FastifyError, FastifyInstance } from "fastify";
import { isCancelledStatement } from "../db/driver-errors.js";
import { isConflict } from "../db/transaction.js";
import { AppError, type ErrorCode } from "../errors.js";

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

/** Fastify's client errors, by their codes, as the catalog names them. */
const FASTIFY_CODES: Record<string, ErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "MALFORMED_REQUEST",
  FST_ERR_CTP_EMPTY_JSON_BODY: "MALFORMED_REQUEST",
  FST_ERR_CTP_INVALID_JSON_BODY: "MALFORMED_REQUEST",
};

/** Postgres data exceptions (SQLSTATE class 22: out of range, invalid text, NUL) and "statement too complex". */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && (/^22[0-9A-Z]{3}$/.test(code) || code === "54001");
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

  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (reply.raw.destroyed && !reply.raw.writableFinished) {
      // Its client went away (or the request timed out): its statements were stopped (db/cancellation.ts), and
      // there is nobody left to answer.
      request.log.info({ reason: (error as Error).message }, "request abandoned by its client");
      reply.code(500).send({ error: "The request was abandoned", code: "INTERNAL", requestId: request.id });
      return;
    }
    if (error instanceof AppError) {
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
    if (isCancelledStatement(error)) {
      request.log.warn({ err: error }, "statement cancelled: past the time limit");
      reply.code(503).send({
        error:
          "The request took longer than the database allows a request (DB_STATEMENT_TIMEOUT_MS); nothing was written",
        code: "QUERY_TIMEOUT",
        requestId: request.id,
      });
      return;
    }
    if (isConflict(error)) {
      // Retried in the server already (db/transaction.ts); the transaction rolled back, so a retry is safe.
      request.log.warn({ err: error }, "database conflict after retries");
      reply.header("retry-after", "1").code(503).send({
        error: "The database refused the change under contention; nothing was written, try again",
        code: "DATABASE_CONFLICT",
        requestId: request.id,
      });
      return;
    }
    const status = typeof error.statusCode === "number" ? error.statusCode : 500;
    if (status >= 400 && status < 500) {
      // Fastify's own client errors: malformed JSON, body too large, unsupported media type, ...
      const code = FASTIFY_CODES[error.code ?? ""] ?? "MALFORMED_REQUEST";
      reply.code(status).send({ error: error.message, code, requestId: request.id });
      return;
    }
    request.log.error({ err: error }, "request failed");
    reply.code(500).send({ error: "Internal server error", code: "INTERNAL", requestId: request.id });
  });
}
