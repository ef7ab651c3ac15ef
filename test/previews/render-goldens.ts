// The golden previews: each fixed input (test/fixtures/previews.ts) drawn and rasterized at 1×. `npm run
// previews:golden` writes them to test/previews/golden/; golden.test.ts draws them again and compares.
import { writeFileSync } from "node:fs";
import { appleBack, appleFront } from "../../src/previews/apple-card.js";
import { googleCard, googleDetails } from "../../src/previews/google-card.js";
import { rasterize } from "../../src/previews/raster.js";
import { applePasses, applePassImages, googlePass } from "../fixtures/previews.js";

export const GOLDEN_DIR = new URL("./golden/", import.meta.url);

/** Name → the PNG drawn now. */
export function renderGoldens(): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [style, pass] of Object.entries(applePasses)) {
    out[`apple-${style}-front`] = rasterize(appleFront(pass, applePassImages[style] ?? {}), 1);
    out[`apple-${style}-back`] = rasterize(appleBack(pass), 1);
  }
  out["google-loyalty-front"] = rasterize(googleCard(googlePass.klass, googlePass.object, {}), 1);
  out["google-loyalty-back"] = rasterize(googleDetails(googlePass.klass, googlePass.object), 1);
  return out;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split("/").pop()!)) {
  for (const [name, png] of Object.entries(renderGoldens())) writeFileSync(new URL(`${name}.png`, GOLDEN_DIR), png);
  console.log(`wrote ${Object.keys(renderGoldens()).length} golden previews to test/previews/golden/`);
}
