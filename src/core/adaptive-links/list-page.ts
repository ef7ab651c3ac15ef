// One page of an account's links, bounded twice: by pageSize, and by what the links weigh. A link may carry 64 KiB of
// payload and 1,000 locations, so a page is read a chunk at a time and ends early once it holds PAGE_BYTES of links;
// the page token goes on from its last link. A response stays a few megabytes whatever pageSize asks.
import type { LinkRow } from "./repository.js";

/** Links read from the database at a time while a page is filled. */
const LIST_CHUNK = 50;
/** A page ends once its links' stored JSON (payloads, locations) reaches this size. */
export const PAGE_BYTES = 8 * 1024 * 1024;

export interface LinkCursor {
  id: string;
  createdAt: Date;
}

/** Roughly what a link weighs in a response: its payload and locations as JSON, and its other fields. */
const storedBytes = (link: LinkRow) =>
  1024 + Buffer.byteLength(JSON.stringify(link.payload)) + Buffer.byteLength(JSON.stringify(link.locations));

/**
 * Up to `size` links after `after`, newest first, as `read` gives them (`read(n, cursor)`: the next n links), and
 * whether more follow.
 */
export async function readLinkPage(
  read: (size: number, after: LinkCursor | undefined) => Promise<LinkRow[]>,
  size: number,
  after: LinkCursor | undefined,
): Promise<{ page: LinkRow[]; more: boolean }> {
  const page: LinkRow[] = [];
  let bytes = 0;
  let cursor = after;
  for (;;) {
    const chunk = Math.min(LIST_CHUNK, size - page.length);
    const rows = await read(chunk + 1, cursor);
    for (const row of rows.slice(0, chunk)) {
      const rowBytes = storedBytes(row);
      if (page.length > 0 && bytes + rowBytes > PAGE_BYTES) return { page, more: true };
      page.push(row);
      bytes += rowBytes;
    }
    if (rows.length <= chunk) return { page, more: false };
    if (page.length >= size) return { page, more: true };
    const last = page[page.length - 1]!;
    cursor = { id: last.id, createdAt: last.createdAt };
  }
}
