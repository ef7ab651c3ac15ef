// Pagination shared by every list: page (1-based, 0 reads as 1), pageSize (default 10, max 1000),
// order (per list), direction (ASC/DESC, default DESC).
import { type Static, Type } from "@sinclair/typebox";
import { AppError } from "../errors.js";

/** A `limit` query parameter (digits) within 1..max, default `fallback`; a 400 naming it otherwise. */
export function limitOf(raw: string | undefined, max: number, fallback = 50): number {
  if (raw === undefined) return fallback;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > max)
    throw new AppError("VALIDATION_FAILED", `limit must be 1 to ${max}`);
  return limit;
}

export const MAX_PAGE_SIZE = 1000;
export const DEFAULT_PAGE_SIZE = 10;

// Query values arrive as text; the API does no type coercion anywhere (a JSON body's 1 is not "1"), so
// numbers in the query string are matched as digits here and range-checked in resolvePage.
export const PaginationQuery = Type.Object({
  page: Type.Optional(Type.String({ pattern: "^[0-9]{1,9}$", description: "1-based page; 0 reads as 1" })),
  pageSize: Type.Optional(Type.String({ pattern: "^[0-9]{1,9}$", description: `1 to ${MAX_PAGE_SIZE}, default 10` })),
  order: Type.Optional(Type.String({ maxLength: 64 })),
  direction: Type.Optional(Type.String({ maxLength: 8 })),
});
export type PaginationQuery = Static<typeof PaginationQuery>;

export const PaginationInfo = Type.Object({
  order: Type.String(),
  direction: Type.Union([Type.Literal("ASC"), Type.Literal("DESC")]),
  page: Type.Integer(),
  start: Type.Integer(),
  pageSize: Type.Integer(),
});

export interface Page<Order extends string> {
  readonly order: Order;
  readonly direction: "ASC" | "DESC";
  readonly page: number;
  readonly pageSize: number;
  readonly start: number;
}

/** Resolves the query into a page; unknown order or direction values are a 400 naming the allowed ones. */
export function resolvePage<Order extends string>(
  query: PaginationQuery,
  orders: readonly Order[],
  defaultOrder: Order,
): Page<Order> {
  const order = query.order === undefined ? defaultOrder : orders.find((o) => o === query.order);
  if (order === undefined) {
    throw new AppError("INVALID_ORDER", `order must be one of ${orders.join(", ")}`, { order: query.order });
  }
  const direction = query.direction === undefined ? "DESC" : query.direction.toUpperCase();
  if (direction !== "ASC" && direction !== "DESC") {
    throw new AppError("INVALID_DIRECTION", "direction must be ASC or DESC", { direction: query.direction });
  }
  const page = Math.max(1, Number(query.page ?? 1));
  const pageSize = query.pageSize === undefined ? DEFAULT_PAGE_SIZE : Number(query.pageSize);
  if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new AppError("INVALID_PAGE_SIZE", `pageSize must be from 1 to ${MAX_PAGE_SIZE}`, {
      pageSize: query.pageSize,
    });
  }
  return { order, direction, page, pageSize, start: (page - 1) * pageSize };
}

export function paginationInfo(page: Page<string>) {
  return {
    order: page.order,
    direction: page.direction,
    page: page.page,
    start: page.start,
    pageSize: page.pageSize,
  };
}
