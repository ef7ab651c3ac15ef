// SVG to PNG with resvg (a maintained renderer; no browser, no system fonts): the Inter faces shipped in the
// inter-font package are the only fonts, so the same SVG gives the same pixels on every machine.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { endianness } from "node:os";
import { dirname, join } from "node:path";
import { crc32, deflateSync } from "node:zlib";
import { Resvg } from "@resvg/resvg-js";

const require = createRequire(import.meta.url);
let fontFiles: string[] | undefined;

function fonts(): string[] {
  if (!fontFiles) {
    const dir = join(dirname(require.resolve("inter-font/package.json")), "ttf");
    fontFiles = ["Inter-Regular.ttf", "Inter-Medium.ttf", "Inter-SemiBold.ttf", "Inter-Bold.ttf"].map((f) =>
      join(dir, f),
    );
    for (const file of fontFiles) readFileSync(file); // fail at the first preview, by name, if a face is missing
  }
  return fontFiles;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, "latin1");
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

const LITTLE_ENDIAN = endianness() === "LE";

/** Un-premultiplies RGBA pixels in place; only translucent ones change (a card's are at its corners). */
function straightenAlpha(pixels: Buffer): void {
  // Whole pixels at once where the buffer allows (little-endian: alpha is the top byte); else byte by byte.
  const aligned = LITTLE_ENDIAN && pixels.byteOffset % 4 === 0;
  const words = aligned ? new Uint32Array(pixels.buffer, pixels.byteOffset, pixels.length >> 2) : undefined;
  for (let p = 0; p < pixels.length >> 2; p++) {
    const a = words ? words[p]! >>> 24 : pixels[p * 4 + 3]!;
    if (a === 255 || a === 0) continue;
    for (let c = p * 4; c < p * 4 + 3; c++) pixels[c] = Math.min(255, Math.round((pixels[c]! * 255) / a));
  }
}

/**
 * resvg's pixels (RGBA, premultiplied by alpha) as a PNG: straight alpha, no row filter, fastest deflate — about
 * twice as fast as resvg's own encoder, the same pixels, a larger file (previews are cached, and mostly flat).
 */
export function encodePng(premultiplied: Buffer, width: number, height: number): Buffer {
  straightenAlpha(premultiplied); // in place: the caller's buffer (resvg's copy of its pixels) is used up
  const stride = width * 4;
  // Each row: its filter byte (0, none), then its pixels; every byte is written, so no zero-filling.
  const raw = Buffer.allocUnsafe((stride + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (stride + 1)] = 0;
    premultiplied.copy(raw, y * (stride + 1) + 1, y * stride, (y + 1) * stride);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8 bits per channel, RGBA, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(raw, { level: 1 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The SVG as a PNG `scale` times its size (1 to 3). */
export function rasterize(svg: string, scale: number): Buffer {
  const width = Number(/width="(\d+)"/.exec(svg)?.[1] ?? 320);
  const resvg = new Resvg(svg, {
    fitTo: { mode: "width", value: Math.round(width * scale) },
    font: { loadSystemFonts: false, fontFiles: fonts(), defaultFontFamily: "Inter", sansSerifFamily: "Inter" },
    imageRendering: 0,
    shapeRendering: 2,
    textRendering: 1,
  });
  const image = resvg.render();
  return encodePng(image.pixels, image.width, image.height);
}
