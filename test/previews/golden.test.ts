// The previews against their golden images (test/previews/golden, made by `npm run previews:golden` from
// test/fixtures/previews.ts): every Apple style's front and back and a Google card, drawn again and compared
// pixel by pixel with a tolerance; the same input gives the same bytes; and the SVG carries every label and value.
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { appleBack, appleFront } from "../../src/previews/apple-card.js";
import { googleCard, googleDetails } from "../../src/previews/google-card.js";
import { rasterize } from "../../src/previews/raster.js";
import { applePasses, googlePass } from "../fixtures/previews.js";
import { decodePng, differingShare } from "../helpers/png-pixels.js";
import { GOLDEN_DIR, renderGoldens } from "./render-goldens.js";

it("draws every style as its golden image (at most 0.5% of pixels differ)", () => {
  const drawn = renderGoldens();
  // The five styles, the two newer layouts, front and back; Google's card and details.
  expect(Object.keys(drawn)).toHaveLength(16);
  for (const [name, png] of Object.entries(drawn)) {
    const golden = decodePng(readFileSync(new URL(`${name}.png`, GOLDEN_DIR)));
    const now = decodePng(png);
    expect([now.width, now.height], name).toEqual([320, 440]);
    expect(differingShare(golden, now), name).toBeLessThan(0.005);
  }
});

it("tells a changed pass from its golden image", () => {
  const changed = structuredClone(applePasses.storeCard!) as { backgroundColor: string };
  changed.backgroundColor = "rgb(200,30,30)";
  const golden = decodePng(readFileSync(new URL("apple-storeCard-front.png", GOLDEN_DIR)));
  expect(differingShare(golden, decodePng(rasterize(appleFront(changed, {}), 1)))).toBeGreaterThan(0.3);
});

it("gives the same bytes for the same input, at every scale", () => {
  for (const scale of [1, 2, 3]) {
    const svg = appleFront(applePasses.boardingPass!, {});
    const a = rasterize(svg, scale);
    expect(rasterize(appleFront(applePasses.boardingPass!, {}), scale).equals(a)).toBe(true);
    expect(decodePng(a).width).toBe(320 * scale);
  }
});

const texts = (svg: string) =>
  [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!.replaceAll("&amp;", "&"));

it("writes every field's label and value of each style into the SVG, front and back", () => {
  for (const [style, pass] of Object.entries(applePasses)) {
    if (pass.preferredStyleSchemes) continue; // the newer layouts: below
    const groups = pass[style] as Record<string, Array<{ label: string; value: unknown; currencyCode?: string }>>;
    const front = texts(appleFront(pass, {}));
    const back = texts(appleBack(pass));
    for (const group of ["headerFields", "primaryFields", "secondaryFields", "auxiliaryFields"]) {
      for (const field of groups[group] ?? []) {
        expect(front, `${style} ${group}`).toContain(field.label.toUpperCase());
        const value = field.currencyCode ? `${field.currencyCode} ${field.value}` : String(field.value);
        expect(front, `${style} ${group}`).toContain(value);
      }
    }
    for (const field of groups.backFields ?? []) {
      expect(back).toContain(field.label.toUpperCase());
      expect(back.join(" ")).toContain(String(field.value).split(" ")[0]);
    }
    const code = (pass.barcodes as Array<{ altText?: string }>)[0]!;
    if (code.altText) expect(front).toContain(code.altText);
  }
  const card = texts(googleCard(googlePass.klass, googlePass.object, {}));
  for (const expected of ["Acme", "Acme Rewards", "Tier", "Gold", "Member", "Ada Lovelace", "Points", "1234"]) {
    expect(card).toContain(expected);
  }
  expect(texts(googleDetails(googlePass.klass, googlePass.object))).toContain("https://acme.example/rewards");
});

it("draws the newer layouts from the pass's semantics", () => {
  const boarding = texts(appleFront(applePasses.semanticBoardingPass!, {}));
  for (const shown of ["SFO", "PDX", "SAN FRANCISCO", "PORTLAND", "09:00", "11:00", "08:35", "25", "1", "13A"]) {
    expect(boarding).toContain(shown);
  }
  expect(boarding).toContain("JOE SMITH");
  expect(boarding).toContain("WN815");
  const poster = texts(appleFront(applePasses.posterEventTicket!, {}));
  expect(poster).toEqual(expect.arrayContaining(["Giants vs. Dodgers", "Oracle Park", "Wed 7 Apr, 19:05"]));
  // Without the scheme asked for, the same pass is the classic ticket.
  const { preferredStyleSchemes: _, ...classic } = applePasses.posterEventTicket!;
  expect(texts(appleFront(classic, {}))).toContain("EVENT");
});

it("escapes what a pass holds: markup in a value stays text", () => {
  const pass = structuredClone(applePasses.generic!) as { generic: { primaryFields: Array<{ value: string }> } };
  pass.generic.primaryFields[0]!.value = '<script>alert("x")</script>&';
  const svg = appleFront(pass, {});
  expect(svg).not.toContain("<script>");
  expect(svg).toContain("&lt;script&gt;");
});
