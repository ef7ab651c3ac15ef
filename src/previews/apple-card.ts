// An Apple pass drawn as Wallet lays it out, from its pass.json and its images: the five styles' fronts (logo,
// logo text and header fields; the primary area — strip, thumbnail, blurred background, or a boarding pass's two
// places with its transit glyph; secondary and auxiliary rows; footer; the barcode with its alt text) and the back
// (every back field). Sizes are Wallet's points: a front is 320 wide.
import { layoutFront, layoutOf, type Palette, type PassImages } from "./apple-layouts.js";

export type { PassImages };

import { barcodeBox } from "./barcode.js";
import { detailsCard } from "./details.js";
import { brightness, cardDocument, clip, colorOr, pngImage, text } from "./svg.js";

export const CARD_WIDTH = 320;
const CARD_HEIGHT = 440;
const STYLES = ["boardingPass", "coupon", "eventTicket", "generic", "storeCard"] as const;
type Style = (typeof STYLES)[number];

interface PassField {
  key?: string;
  label?: unknown;
  value?: unknown;
  currencyCode?: unknown;
}
type Group = "headerFields" | "primaryFields" | "secondaryFields" | "auxiliaryFields" | "backFields";

const styleOf = (pass: Record<string, unknown>): Style => STYLES.find((s) => pass[s] !== undefined) ?? "generic";

function fieldsOf(pass: Record<string, unknown>, style: Style, group: Group): PassField[] {
  const dict = pass[style] as Partial<Record<Group, unknown>> | undefined;
  const list = dict?.[group];
  return Array.isArray(list) ? (list.filter((f) => f && typeof f === "object") as PassField[]) : [];
}

const valueText = (field: PassField) => {
  const value = field.value === undefined || field.value === null ? "" : String(field.value);
  return typeof field.currencyCode === "string" && value !== "" ? `${field.currencyCode} ${value}` : value;
};
const labelText = (field: PassField) => (typeof field.label === "string" ? field.label.toUpperCase() : "");

function paletteOf(pass: Record<string, unknown>): Palette {
  const background = colorOr(pass.backgroundColor, "#ffffff");
  const readable = brightness(background) > 140 ? "#000000" : "#ffffff";
  const foreground = colorOr(pass.foregroundColor, readable);
  return { background, foreground, label: colorOr(pass.labelColor, foreground) };
}

/** A row of fields spread over the card's width: label above, value below. */
function row(fields: PassField[], y: number, palette: Palette, valueSize = 15): string {
  const shown = fields.slice(0, 4);
  if (shown.length === 0) return "";
  const width = (CARD_WIDTH - 24) / shown.length;
  return shown
    .map((field, i) => {
      const x = 12 + i * width;
      const last = shown.length > 1 && i === shown.length - 1;
      const anchor = last ? "end" : "start";
      const ax = last ? CARD_WIDTH - 12 : x;
      return (
        text(ax, y, clip(labelText(field), 9, width - 6), { size: 9, fill: palette.label, weight: 600, anchor }) +
        text(ax, y + valueSize + 3, clip(valueText(field), valueSize, width - 6), {
          size: valueSize,
          fill: palette.foreground,
          anchor,
        })
      );
    })
    .join("");
}

function header(pass: Record<string, unknown>, style: Style, images: PassImages, palette: Palette): string {
  const parts: string[] = [];
  let x = 12;
  if (images.logo) {
    parts.push(pngImage(images.logo, 12, 8, 100, 40));
    x = 120;
  }
  const headers = fieldsOf(pass, style, "headerFields").slice(0, 3);
  const headerWidth = headers.length * 80;
  if (typeof pass.logoText === "string") {
    const room = CARD_WIDTH - x - headerWidth - 12;
    parts.push(text(x, 34, clip(pass.logoText, 16, room), { size: 16, fill: palette.foreground, weight: 600 }));
  }
  headers.forEach((field, i) => {
    const right = CARD_WIDTH - 12 - (headers.length - 1 - i) * 80;
    parts.push(
      text(right, 22, clip(labelText(field), 9, 76), { size: 9, fill: palette.label, weight: 600, anchor: "end" }),
    );
    parts.push(text(right, 40, clip(valueText(field), 15, 76), { size: 15, fill: palette.foreground, anchor: "end" }));
  });
  return parts.join("");
}

function transitGlyph(x: number, y: number, color: string): string {
  // An arrow between the two places (Wallet draws the transit type's glyph there).
  return `<path d="M${x - 14} ${y}h24m-7 -7l7 7l-7 7" stroke="${color}" stroke-width="2.5" fill="none" stroke-linecap="round" stroke-linejoin="round"/>`;
}

function primary(pass: Record<string, unknown>, style: Style, images: PassImages, palette: Palette): string {
  const fields = fieldsOf(pass, style, "primaryFields");
  const parts: string[] = [];
  if (style === "boardingPass") {
    const [from, to] = fields;
    if (from) {
      parts.push(text(12, 80, clip(labelText(from), 9, 120), { size: 9, fill: palette.label, weight: 600 }));
      parts.push(text(12, 118, clip(valueText(from), 34, 130), { size: 34, fill: palette.foreground }));
    }
    if (to) {
      parts.push(
        text(CARD_WIDTH - 12, 80, clip(labelText(to), 9, 120), {
          size: 9,
          fill: palette.label,
          weight: 600,
          anchor: "end",
        }),
      );
      parts.push(
        text(CARD_WIDTH - 12, 118, clip(valueText(to), 34, 130), { size: 34, fill: palette.foreground, anchor: "end" }),
      );
    }
    parts.push(transitGlyph(CARD_WIDTH / 2, 106, palette.foreground));
    return parts.join("");
  }
  const strip = (style === "storeCard" || style === "coupon" || style === "eventTicket") && images.strip;
  const thumbnail = (style === "generic" || style === "eventTicket") && !strip && images.thumbnail;
  if (strip) parts.push(pngImage(strip, 0, 58, CARD_WIDTH, 124, { cover: true }));
  if (thumbnail) parts.push(pngImage(thumbnail, CARD_WIDTH - 102, 62, 90, 90));
  const [first] = fields;
  if (first) {
    const width = CARD_WIDTH - 24 - (thumbnail ? 100 : 0);
    if (strip) {
      parts.push(text(14, 140, clip(valueText(first), 36, width), { size: 36, fill: palette.foreground }));
      parts.push(text(14, 162, clip(labelText(first), 11, width), { size: 11, fill: palette.label, weight: 600 }));
    } else {
      parts.push(text(12, 82, clip(labelText(first), 9, width), { size: 9, fill: palette.label, weight: 600 }));
      parts.push(text(12, 112, clip(valueText(first), 24, width), { size: 24, fill: palette.foreground }));
    }
  }
  return parts.join("");
}

function barcodeArea(pass: Record<string, unknown>, images: PassImages, style: Style): string {
  const parts: string[] = [];
  if (style === "boardingPass" && images.footer) parts.push(pngImage(images.footer, 17, 290, 286, 15));
  const barcodes = Array.isArray(pass.barcodes) ? pass.barcodes : [];
  const code = barcodes[0] as { format?: unknown; message?: unknown; altText?: unknown } | undefined;
  if (!code || typeof code.message !== "string" || typeof code.format !== "string") return parts.join("");
  const altText = typeof code.altText === "string" ? code.altText : undefined;
  parts.push(
    barcodeBox(
      { format: code.format, message: code.message, ...(altText ? { altText } : {}) },
      { width: CARD_WIDTH, bottom: CARD_HEIGHT - 16, squareSide: 136, wideHeight: 84, radius: 6, ink: "#000000" },
    ),
  );
  return parts.join("");
}

/** The front of the pass, as an SVG document (in the newer layout it asks for first, when it asks for one). */
export function appleFront(pass: Record<string, unknown>, images: PassImages): string {
  const style = styleOf(pass);
  const palette = paletteOf(pass);
  const layout = layoutOf(pass);
  if (layout) {
    const artwork = layout === "posterEventTicket" && (images.artwork ?? images.background) !== undefined;
    return document(CARD_HEIGHT, palette.background, layoutFront(layout, pass, images, palette), artwork);
  }
  const blurred = style === "eventTicket" && images.background && !images.strip;
  const body = [
    blurred
      ? `<defs><filter id="blur"><feGaussianBlur stdDeviation="12"/></filter></defs>${pngImage(images.background!, -20, -20, CARD_WIDTH + 40, CARD_HEIGHT + 40, { cover: true, filter: "blur" })}`
      : "",
    header(pass, style, images, palette),
    primary(pass, style, images, palette),
    row(fieldsOf(pass, style, "secondaryFields"), 206, palette),
    row(fieldsOf(pass, style, "auxiliaryFields"), 250, palette),
    barcodeArea(pass, images, style),
  ].join("");
  return document(CARD_HEIGHT, palette.background, body, Boolean(blurred));
}

/** The back of the pass: every back field, label over value, as Wallet lists them. */
export function appleBack(pass: Record<string, unknown>): string {
  const fields = fieldsOf(pass, styleOf(pass), "backFields");
  return detailsCard(fields.map((f) => ({ label: labelText(f), value: valueText(f) })));
}

/** The card: clipped to its corners only when a full-bleed image reaches them. */
function document(height: number, background: string, body: string, fullBleed: boolean): string {
  return cardDocument({ width: CARD_WIDTH, height, radius: 12, background }, body, fullBleed);
}
