// Image checks without the network: PNG recognition and dimensions (against images Python's zlib made), data:
// URIs, and the size limit of fetched images (against a loopback origin the guard allows).
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImageStore } from "../../src/images/image-store.js";
import { pngSize } from "../../src/images/png.js";
import { OutboundGuard } from "../../src/outbound/guard.js";
import { type Listener, startListener } from "../fakes/listener.js";
import { pngFixture } from "../helpers/apple.js";
import { createTestDatabase, type TestDatabase, testPool } from "../helpers/database.js";

describe("pngSize", () => {
  it("reads the dimensions of a real PNG and refuses everything else", () => {
    expect(pngSize(pngFixture(29, 58))).toEqual({ width: 29, height: 58 });
    const png = pngFixture(10, 10);
    expect(pngSize(png.subarray(0, 20))).toBeUndefined();
    expect(pngSize(Buffer.from("GIF89a....................................."))).toBeUndefined();
    const wrongChunk = Buffer.from(png);
    wrongChunk.write("IDAT", 12, "latin1");
    expect(pngSize(wrongChunk)).toBeUndefined();
    const huge = Buffer.from(png);
    huge.writeUInt32BE(100_000, 16);
    expect(pngSize(huge)).toBeUndefined();
    const empty = Buffer.from(png);
    empty.writeUInt32BE(0, 20);
    expect(pngSize(empty)).toBeUndefined();
  });
});

describe("ImageStore", () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let origin: Listener;
  let store: ImageStore;
  beforeAll(async () => {
    database = await createTestDatabase();
    pool = testPool(database.url, 2);
    origin = await startListener();
    store = new ImageStore(pool, {
      guard: new OutboundGuard({ allowlist: ["127.0.0.1"] }),
      fetchTimeoutMs: 2000,
      maxBytes: 4096,
    });
  });
  afterAll(async () => {
    await origin.close();
    await pool.end();
    await database.drop();
  });

  it("stores a data: URI PNG by its hash, once", async () => {
    const png = pngFixture(5, 5, [1, 2, 3]);
    const hash = await store.store(`data:image/png;base64,${png.toString("base64")}`);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await store.load([hash])).get(hash)?.equals(png)).toBe(true);
    await store.store(`data:image/png;base64,${png.toString("base64")}`);
    const { rows } = await pool.query("SELECT width, height FROM images WHERE sha256 = $1", [hash]);
    expect(rows).toEqual([{ width: 5, height: 5 }]);
  });

  it("refuses a fetched image over the size limit, or not a PNG, naming the header", async () => {
    origin.handle = (req, res) => res.end(req.url === "/big.png" ? Buffer.alloc(10_000) : Buffer.from("<html>"));
    await expect(store.resolve({ logo_image: { value: `${origin.url}/big.png` } })).rejects.toThrow(
      /logo_image.*too large/,
    );
    await expect(store.resolve({ strip_image: { value: `${origin.url}/page.html` } })).rejects.toThrow(
      /strip_image.*not a PNG/,
    );
    await expect(store.resolve({ icon_image: { value: "data:image/gif;base64,R0lGOD" } })).rejects.toThrow(
      /icon_image/,
    );
  });
});
