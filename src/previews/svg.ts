// What every preview is drawn with: escaped text, a deterministic width estimate (no font measuring: the same
// input gives the same bytes on every machine), truncation with an ellipsis, and colours as #rrggbb.
import { hexColor as hexOf } from "../domain/values.js";

export const FONT = "Inter";

export const escapeXml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

/** Inter's average advance is about 0.56 em (digits and capitals wider, "i" narrower). */
export const textWidth = (text: string, size: number) => [...text].length * size * 0.56;

/** `text` cut to fit `width` at `size`, with an ellipsis when it was cut. */
export function clip(text: string, size: number, width: number): string {
  const chars = [...text];
  const max = Math.max(1, Math.floor(width / (size * 0.56)));
  return chars.length <= max ? text : `${chars.slice(0, Math.max(1, max - 1)).join("")}…`;
}

/** Lines of at most `width` at `size`, broken at spaces (a word longer than a line is cut), at most `maxLines`. */
export function wrap(text: string, size: number, width: number, maxLines: number): string[] {
  const max = Math.max(1, Math.floor(width / (size * 0.56)));
  const lines: string[] = [];
  for (const paragraph of text.split(/\r?\n/)) {
    let line = "";
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if ([...next].length <= max) line = next;
      else {
        if (line) lines.push(line);
        line = [...word].length > max ? clip(word, size, width) : word;
      }
    }
    lines.push(line);
  }
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines - 1), clip(`${lines[maxLines - 1]}…`, size, width)];
}

/** A colour as #rrggbb: rgb(), rgba(), #rgb or #rrggbb; `fallback` when it is none of them. */
export const colorOr = (value: unknown, fallback: string): string => hexOf(value) ?? fallback;

/** Perceived brightness 0–255 of a #rrggbb colour: picks readable text over it. */
export function brightness(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return 0.299 * r! + 0.587 * g! + 0.114 * b!;
}

export function text(
  x: number,
  y: number,
  content: string,
  options: { size: number; fill: string; weight?: number; anchor?: "start" | "middle" | "end" },
): string {
  const anchor = options.anchor && options.anchor !== "start" ? ` text-anchor="${options.anchor}"` : "";
  const weight = options.weight ? ` font-weight="${options.weight}"` : "";
  return `<text x="${round(x)}" y="${round(y)}" font-family="${FONT}" font-size="${options.size}"${weight} fill="${options.fill}"${anchor}>${escapeXml(content)}</text>`;
}

export const round = (n: number) => Math.round(n * 100) / 100;

/**
 * A card as an SVG document: a rounded rectangle of `background` with `body` on it. Only a body reaching the corners
 * (a full-bleed image) is clipped to them: resvg's clip is a mask the size of the card, most of a preview's
 * rasterizing time, and text and barcodes keep inside the margins anyway.
 */
export function cardDocument(
  card: { width: number; height: number; radius: number; background: string },
  body: string,
  clip: boolean,
): string {
  const { width, height, radius, background } = card;
  const open = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`;
  if (!clip)
    return `${open}<rect width="${width}" height="${height}" rx="${radius}" fill="${background}"/>${body}</svg>`;
  return (
    `${open}<clipPath id="card"><rect width="${width}" height="${height}" rx="${radius}"/></clipPath>` +
    `<g clip-path="url(#card)"><rect width="${width}" height="${height}" fill="${background}"/>${body}</g></svg>`
  );
}

/** A PNG as an <image> (stored images are PNG: images/png.ts checks them), fitted in or covering the box. */
export function pngImage(
  png: Buffer,
  x: number,
  y: number,
  width: number,
  height: number,
  options: { cover?: boolean; filter?: string } = {},
): string {
  const aspect = options.cover ? "xMidYMid slice" : "xMidYMid meet";
  const filter = options.filter ? ` filter="url(#${options.filter})"` : "";
  return `<image x="${round(x)}" y="${round(y)}" width="${round(width)}" height="${round(height)}" preserveAspectRatio="${aspect}"${filter} href="data:image/png;base64,${png.toString("base64")}"/>`;
}
