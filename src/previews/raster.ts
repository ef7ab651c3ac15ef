// SVG to PNG with resvg (a maintained renderer; no browser, no system fonts): the Inter faces shipped in the
// inter-font package are the only fonts, so the same SVG gives the same pixels on every machine.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
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
  return resvg.render().asPng();
}
