// Our PNG encoding of resvg's pixels gives exactly the pixels resvg's own encoder gives: straight alpha at the
// card's anti-aliased corners and under translucent shapes, opaque pixels untouched.
import { Resvg } from "@resvg/resvg-js";
import { expect, it } from "vitest";
import { appleFront } from "../../src/previews/apple-card.js";
import { encodePng } from "../../src/previews/raster.js";
import { applePasses } from "../fixtures/previews.js";
import { decodePng } from "../helpers/png-pixels.js";

it("encodes the same pixels as resvg's encoder, translucent ones included", () => {
  const translucent =
    '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="30"><rect width="40" height="30" rx="9" fill="#3366cc" fill-opacity="0.4"/><circle cx="20" cy="15" r="9" fill="#ff0000" fill-opacity="0.7"/></svg>';
  for (const [svg, width] of [
    [appleFront(applePasses.storeCard!, {}), 640],
    [translucent, 123],
  ] as const) {
    const image = new Resvg(svg, { fitTo: { mode: "width", value: width }, font: { loadSystemFonts: false } }).render();
    const theirs = decodePng(image.asPng());
    const ours = decodePng(encodePng(image.pixels, image.width, image.height));
    expect([ours.width, ours.height]).toEqual([theirs.width, theirs.height]);
    expect(Buffer.from(ours.data).equals(Buffer.from(theirs.data))).toBe(true);
  }
});
