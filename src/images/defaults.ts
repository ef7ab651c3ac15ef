// The built-in images: every Apple pass needs icon.png, and a pass without a logo gets ours. Drawn here (a card
// on a rounded tile) so the project ships no binary assets.
import { encodePng } from "./png.js";

type Rgba = [number, number, number, number];

/** Coverage (0–1) of a rounded rectangle at pixel (x, y), anti-aliased by 4×4 supersampling. */
function roundedRect(x: number, y: number, left: number, top: number, w: number, h: number, r: number): number {
  let inside = 0;
  for (let sy = 0; sy < 4; sy++) {
    for (let sx = 0; sx < 4; sx++) {
      const px = x + (sx + 0.5) / 4;
      const py = y + (sy + 0.5) / 4;
      const cx = Math.min(Math.max(px, left + r), left + w - r);
      const cy = Math.min(Math.max(py, top + r), top + h - r);
      if (px >= left && px <= left + w && py >= top && py <= top + h && (px - cx) ** 2 + (py - cy) ** 2 <= r * r) {
        inside++;
      }
    }
  }
  return inside / 16;
}

function draw(width: number, height: number, layers: Array<{ color: Rgba; cover: (x: number, y: number) => number }>) {
  const pixels = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const layer of layers) {
        const alpha = (layer.color[3] / 255) * layer.cover(x, y);
        r = r * (1 - alpha) + layer.color[0] * alpha;
        g = g * (1 - alpha) + layer.color[1] * alpha;
        b = b * (1 - alpha) + layer.color[2] * alpha;
        a = a + (1 - a) * alpha;
      }
      const i = (y * width + x) * 4;
      // Stored un-premultiplied.
      pixels[i] = a ? Math.round(r / a) : 0;
      pixels[i + 1] = a ? Math.round(g / a) : 0;
      pixels[i + 2] = a ? Math.round(b / a) : 0;
      pixels[i + 3] = Math.round(a * 255);
    }
  }
  return encodePng(width, height, pixels);
}

const TILE: Rgba = [37, 99, 235, 255];
const CARD: Rgba = [255, 255, 255, 255];
const STRIPE: Rgba = [37, 99, 235, 255];

/** A square icon of `size` pixels. */
export function defaultIcon(size: number): Buffer {
  const s = size;
  return draw(s, s, [
    { color: TILE, cover: (x, y) => roundedRect(x, y, 0, 0, s, s, s * 0.22) },
    { color: CARD, cover: (x, y) => roundedRect(x, y, s * 0.2, s * 0.3, s * 0.6, s * 0.4, s * 0.06) },
    { color: STRIPE, cover: (x, y) => roundedRect(x, y, s * 0.2, s * 0.38, s * 0.6, s * 0.08, 0) },
  ]);
}

/** A logo (card mark) `height` pixels tall on a transparent background. */
export function defaultLogo(height: number): Buffer {
  const h = height;
  const w = Math.round(h * 1.5);
  return draw(w, h, [
    { color: CARD, cover: (x, y) => roundedRect(x, y, w * 0.05, h * 0.15, w * 0.9, h * 0.7, h * 0.1) },
    { color: [0, 0, 0, 90], cover: (x, y) => roundedRect(x, y, w * 0.05, h * 0.3, w * 0.9, h * 0.12, 0) },
  ]);
}
