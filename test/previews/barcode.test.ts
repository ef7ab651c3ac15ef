// QR codes are drawn from the `qrcode` package's module matrix by our own path: every dark module, and only those,
// must be inside the path (read back row by row from its runs).
import QRCode from "qrcode";
import { expect, it } from "vitest";
import { barcodeSvg } from "../../src/previews/barcode.js";

it("draws exactly the QR code's dark modules", () => {
  for (const message of ["ACME-1234", "M1SMITH/JOE E4583B SFOPDXWN 0815", "ü€ — a longer message ".repeat(8)]) {
    const svg = barcodeSvg("PKBarcodeFormatQR", message, { x: 0, y: 0, width: 100, height: 100 })!;
    const { modules } = QRCode.create(message, { errorCorrectionLevel: "M" });
    expect(svg).toContain(`viewBox="0 0 ${modules.size} ${modules.size}"`);
    const drawn = new Set<string>();
    for (const [, x, y, run] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
      for (let i = 0; i < Number(run); i++) drawn.add(`${Number(x) + i},${y}`);
    }
    const dark = new Set<string>();
    for (let y = 0; y < modules.size; y++) {
      for (let x = 0; x < modules.size; x++) if (modules.get(y, x)) dark.add(`${x},${y}`);
    }
    expect(drawn).toEqual(dark);
  }
  // Too long for any QR code: no barcode (the preview shows the message as text).
  expect(barcodeSvg("QR_CODE", "x".repeat(3000), { x: 0, y: 0, width: 100, height: 100 })).toBeDefined();
  expect(barcodeSvg("QR_CODE", "€".repeat(1500), { x: 0, y: 0, width: 100, height: 100 })).toBeUndefined();
});
