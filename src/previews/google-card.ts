// A Google Wallet pass drawn as Google Wallet shows its card, from the class and object we send Google: the logo
// and issuer, the card's title, its text modules (object's, then class's) two to a row, the hero image, and the
// barcode with its alternate text, on the card's colour.
import { barcodeBox } from "./barcode.js";
import { detailsCard } from "./details.js";
import { brightness, cardDocument, clip, colorOr, pngImage, text } from "./svg.js";

const WIDTH = 320;
const HEIGHT = 440;

type Json = Record<string, unknown>;

/** Google's LocalizedString, or a plain string: its default value. */
const localized = (value: unknown): string | undefined => {
  if (typeof value === "string") return value;
  const d = (value as { defaultValue?: { value?: unknown } } | undefined)?.defaultValue?.value;
  return typeof d === "string" ? d : undefined;
};

/** The title Google shows for each kind of class/object. */
function titleOf(klass: Json, object: Json): string {
  const flight = klass.flightHeader as { carrier?: { carrierIataCode?: string }; flightNumber?: string } | undefined;
  if (flight) {
    const from = (klass.origin as { airportIataCode?: string } | undefined)?.airportIataCode ?? "";
    const to = (klass.destination as { airportIataCode?: string } | undefined)?.airportIataCode ?? "";
    return `${flight.carrier?.carrierIataCode ?? ""}${flight.flightNumber ?? ""} ${from} → ${to}`.trim();
  }
  return (
    localized(object.cardTitle) ??
    (typeof klass.programName === "string" ? klass.programName : undefined) ??
    localized(klass.eventName) ??
    (typeof klass.title === "string" ? klass.title : undefined) ??
    (typeof klass.merchantName === "string" ? klass.merchantName : undefined) ??
    localized(object.header) ??
    ""
  );
}

function modules(klass: Json, object: Json): Array<{ header: string; body: string }> {
  const list = [
    ...(Array.isArray(object.textModulesData) ? object.textModulesData : []),
    ...(Array.isArray(klass.textModulesData) ? klass.textModulesData : []),
  ] as Array<{ header?: unknown; body?: unknown }>;
  const rows = list.map((m) => ({ header: String(m.header ?? ""), body: String(m.body ?? "") }));
  const holder = typeof object.passengerName === "string" ? object.passengerName : object.ticketHolderName;
  if (typeof holder === "string" && holder !== "") rows.unshift({ header: "Name", body: holder });
  const points = object.loyaltyPoints as { label?: unknown; balance?: { int?: unknown; string?: unknown } } | undefined;
  if (points?.balance) {
    rows.unshift({
      header: String(points.label ?? "Points"),
      body: String(points.balance.int ?? points.balance.string ?? ""),
    });
  }
  return rows;
}

/**
 * The front of a Google pass as an SVG document. `logo` and `hero` are the PNGs behind the class's image URLs when
 * this server stores them (an outside URL is never fetched for a preview: the logo then shows the title's initial).
 */
export function googleCard(klass: Json, object: Json, images: { logo?: Buffer; hero?: Buffer }): string {
  const background = colorOr(object.hexBackgroundColor ?? klass.hexBackgroundColor, "#3c4043");
  const foreground = brightness(background) > 150 ? "#202124" : "#ffffff";
  const title = titleOf(klass, object);
  const issuer = typeof klass.issuerName === "string" ? klass.issuerName : "";
  const parts: string[] = [];
  parts.push(`<circle cx="34" cy="34" r="18" fill="#ffffff"/>`);
  if (images.logo) {
    parts.push(`<clipPath id="logo"><circle cx="34" cy="34" r="18"/></clipPath>`);
    parts.push(`<g clip-path="url(#logo)">${pngImage(images.logo, 16, 16, 36, 36, { cover: true })}</g>`);
  } else {
    parts.push(
      text(34, 40, [...(title || issuer || "?")][0]!.toUpperCase(), {
        size: 16,
        fill: "#202124",
        weight: 600,
        anchor: "middle",
      }),
    );
  }
  parts.push(text(62, 39, clip(issuer, 13, WIDTH - 76), { size: 13, fill: foreground }));
  parts.push(`<rect x="0" y="64" width="${WIDTH}" height="0.5" fill="${foreground}" fill-opacity="0.3"/>`);
  parts.push(text(16, 100, clip(title, 20, WIDTH - 32), { size: 20, fill: foreground, weight: 600 }));
  let y = 130;
  const rows = modules(klass, object).slice(0, 6);
  for (let i = 0; i < rows.length; i += 2) {
    for (const [n, m] of rows.slice(i, i + 2).entries()) {
      const x = n === 0 ? 16 : WIDTH - 16;
      const anchor = n === 0 ? "start" : "end";
      parts.push(text(x, y, clip(m.header, 10, 136), { size: 10, fill: foreground, anchor }));
      parts.push(text(x, y + 18, clip(m.body, 14, 136), { size: 14, fill: foreground, weight: 500, anchor }));
    }
    y += 42;
  }
  const code = object.barcode as { type?: unknown; value?: unknown; alternateText?: unknown } | undefined;
  const rotating = object.rotatingBarcode as { type?: unknown; alternateText?: unknown } | undefined;
  const shown =
    code ?? (rotating ? { type: rotating.type, value: "rotating", alternateText: rotating.alternateText } : undefined);
  if (shown && typeof shown.type === "string" && typeof shown.value === "string") {
    const altText = typeof shown.alternateText === "string" ? shown.alternateText : undefined;
    parts.push(
      barcodeBox(
        { format: shown.type, message: shown.value, ...(altText ? { altText } : {}) },
        { width: WIDTH, bottom: HEIGHT - 20, squareSide: 140, wideHeight: 80, radius: 8, ink: "#202124" },
      ),
    );
  }
  // Without a barcode the hero image takes the bottom, running to the card's corners.
  const hero = !(shown && typeof shown.type === "string" && typeof shown.value === "string") && images.hero;
  if (hero) parts.push(pngImage(hero, 0, HEIGHT - 110, WIDTH, 110, { cover: true }));
  return cardDocument({ width: WIDTH, height: HEIGHT, radius: 16, background }, parts.join(""), Boolean(hero));
}

/** A Google pass's details (the card's reverse): its text modules, links and messages. */
export function googleDetails(klass: Json, object: Json): string {
  const list = (value: unknown) => (Array.isArray(value) ? (value as Json[]) : []);
  const items = [
    ...modules(klass, object).map((m) => ({ label: m.header.toUpperCase(), value: m.body })),
    ...[
      ...list((object.linksModuleData as Json | undefined)?.uris),
      ...list((klass.linksModuleData as Json | undefined)?.uris),
    ].map((u) => ({ label: String(u.description ?? "Link").toUpperCase(), value: String(u.uri ?? "") })),
    ...[...list(object.messages), ...list(klass.messages)].map((m) => ({
      label: String(m.header ?? "Message").toUpperCase(),
      value: String(m.body ?? ""),
    })),
  ];
  return detailsCard(items);
}
