// Barcodes drawn as SVG from a pass's barcode: QR codes from the `qrcode` package's module matrix (bwip-js's
// PostScript emulation took most of a preview's time on them), every other symbology Wallet shows by bwip-js.
import bwipjs from "bwip-js";
import QRCode from "qrcode";
import { clip, text } from "./svg.js";

/** Wallet's and Google's barcode formats → bwip-js symbologies. */
const SYMBOLOGIES: Record<string, string> = {
  PKBarcodeFormatQR: "qrcode",
  PKBarcodeFormatPDF417: "pdf417",
  PKBarcodeFormatAztec: "azteccode",
  PKBarcodeFormatCode128: "code128",
  QR_CODE: "qrcode",
  PDF_417: "pdf417",
  AZTEC: "azteccode",
  CODE_128: "code128",
  CODE_39: "code39",
  EAN_13: "ean13",
  CODABAR: "rationalizedCodabar",
  ITF_14: "itf14",
};

/** Whether the symbology is two-dimensional (square), or a linear/stacked code (wide). */
export const isSquare = (format: string) => ["qrcode", "azteccode"].includes(SYMBOLOGIES[format] ?? "");

/**
 * The barcode as SVG content scaled into `width`×`height` at (x, y), or undefined when the format is unknown or the
 * message cannot be encoded in it (e.g. letters in an EAN-13): the preview then shows the message as text.
 */
export function barcodeSvg(
  format: string,
  message: string,
  box: { x: number; y: number; width: number; height: number },
): string | undefined {
  const bcid = SYMBOLOGIES[format];
  if (!bcid || message === "") return undefined;
  if (bcid === "qrcode") return qrSvg(message.slice(0, 2000), box);
  let svg: string;
  try {
    svg = bwipjs.toSVG({ bcid, text: message.slice(0, 2000), ...(bcid === "pdf417" ? { columns: 4 } : {}) });
  } catch {
    return undefined;
  }
  const viewBox = /viewBox="([^"]+)"/.exec(svg)?.[1];
  const inner = svg.replace(/^[\s\S]*?<svg[^>]*>/, "").replace(/<\/svg>\s*$/, "");
  if (!viewBox) return undefined;
  return `<svg x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" viewBox="${viewBox}" preserveAspectRatio="xMidYMid meet">${inner}</svg>`;
}

/** A QR code (error correction M, as bwip-js drew it) as one path of its dark modules, row by row. */
function qrSvg(message: string, box: { x: number; y: number; width: number; height: number }): string | undefined {
  let modules: { size: number; get(row: number, col: number): number };
  try {
    modules = QRCode.create(message, { errorCorrectionLevel: "M" }).modules;
  } catch {
    return undefined; // too long for a QR code
  }
  const path: string[] = [];
  for (let y = 0; y < modules.size; y++) {
    for (let x = 0; x < modules.size; x++) {
      if (!modules.get(y, x)) continue;
      let run = 1;
      while (x + run < modules.size && modules.get(y, x + run)) run++;
      path.push(`M${x} ${y}h${run}v1h-${run}z`);
      x += run - 1;
    }
  }
  const side = modules.size;
  return `<svg x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" viewBox="0 0 ${side} ${side}" preserveAspectRatio="xMidYMid meet" shape-rendering="crispEdges"><path d="${path.join("")}" fill="#000000"/></svg>`;
}

/**
 * The barcode on its white box, centred on a card `cardWidth` wide with its bottom `bottom` points down, and its
 * alternate text under it; a message the format cannot encode is shown as text.
 */
export function barcodeBox(
  code: { format: string; message: string; altText?: string },
  card: { width: number; bottom: number; squareSide: number; wideHeight: number; radius: number; ink: string },
): string {
  const box = isSquare(code.format)
    ? { width: card.squareSide, height: card.squareSide }
    : { width: 280, height: card.wideHeight };
  const alt = code.altText ? code.altText : undefined;
  const altHeight = alt ? 17 : 0;
  const x = (card.width - box.width) / 2;
  const y = card.bottom - box.height - altHeight;
  const middle = { anchor: "middle" as const, fill: card.ink };
  return [
    `<rect x="${x}" y="${y}" width="${box.width}" height="${box.height + altHeight}" rx="${card.radius}" fill="#ffffff"/>`,
    barcodeSvg(code.format, code.message, { x: x + 8, y: y + 8, width: box.width - 16, height: box.height - 16 }) ??
      text(card.width / 2, y + box.height / 2, clip(code.message, 12, box.width - 16), { size: 12, ...middle }),
    alt ? text(card.width / 2, y + box.height + 9, clip(alt, 10, box.width - 8), { size: 10, ...middle }) : "",
  ].join("");
}
