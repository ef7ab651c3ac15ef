// The newer Apple layouts a pass.json may ask for first in `preferredStyleSchemes` (the server asks only when the
// pass has what the layout needs: apple/semantics.ts), drawn from the pass's `semantics` as iOS 18 lays them out:
// - posterEventTicket: the artwork full-bleed, the primary and secondary logos on it, the event's name, start
//   and venue over a shade at the bottom, then the barcode;
// - semanticBoardingPass: the flight (airline and number), the two airports' codes and cities with the departure
//   and arrival times in each airport's zone, gate, terminal, boarding time, group and seat, the passenger, the
//   barcode.
import { barcodeBox } from "./barcode.js";
import { clip, pngImage, text } from "./svg.js";

const WIDTH = 320;
const HEIGHT = 440;

/** The images a preview can show, by their bundle name (logo, strip, thumbnail, background, footer, artwork, …). */
export type PassImages = Partial<Record<string, Buffer>>;
export type Layout = "posterEventTicket" | "semanticBoardingPass";

export interface Palette {
  background: string;
  foreground: string;
  label: string;
}

/** The layout the pass asks for first, when it is one drawn here. */
export function layoutOf(pass: Record<string, unknown>): Layout | undefined {
  const first = Array.isArray(pass.preferredStyleSchemes) ? pass.preferredStyleSchemes[0] : undefined;
  const semantics = pass.semantics;
  if (!semantics || typeof semantics !== "object") return undefined;
  return first === "posterEventTicket" || first === "semanticBoardingPass" ? first : undefined;
}

const str = (value: unknown) => (typeof value === "string" || typeof value === "number" ? String(value) : "");

/**
 * A date's time (or day and time) in a zone, or, with no zone, at the offset the date was written with (its local
 * time where it happens); the same on every machine (Intl's fixed en-GB formats).
 */
function timeIn(value: unknown, zone: unknown, withDay = false): string {
  let ms = typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) return "";
  if (typeof zone !== "string") {
    const offset = /([+-])(\d{2}):?(\d{2})$/.exec(value as string);
    if (offset) ms += (offset[1] === "-" ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])) * 60_000;
    zone = "UTC";
  }
  try {
    return formatter(zone as string, withDay).format(ms);
  } catch {
    return formatter("UTC", withDay).format(ms); // a zone Intl does not know
  }
}

// Formatters are costly to make: one per zone and form, kept (zones are a bounded set).
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, withDay: boolean): Intl.DateTimeFormat {
  const key = `${zone}|${withDay}`;
  let found = formatters.get(key);
  if (!found) {
    found = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
      timeZone: zone,
      ...(withDay ? { weekday: "short", day: "numeric", month: "short" } : {}),
    });
    if (formatters.size < 1000) formatters.set(key, found);
  }
  return found;
}

function barcode(pass: Record<string, unknown>, bottom: number, squareSide: number): string {
  const code = (Array.isArray(pass.barcodes) ? pass.barcodes[0] : undefined) as
    | { format?: unknown; message?: unknown; altText?: unknown }
    | undefined;
  if (!code || typeof code.message !== "string" || typeof code.format !== "string") return "";
  const altText = typeof code.altText === "string" ? code.altText : undefined;
  return barcodeBox(
    { format: code.format, message: code.message, ...(altText ? { altText } : {}) },
    { width: WIDTH, bottom, squareSide, wideHeight: 70, radius: 6, ink: "#000000" },
  );
}

function posterFront(pass: Record<string, unknown>, images: PassImages, palette: Palette): string {
  const s = pass.semantics as Record<string, unknown>;
  const artwork = images.artwork ?? images.background;
  const parts: string[] = [];
  if (artwork) parts.push(pngImage(artwork, 0, 0, WIDTH, 300, { cover: true }));
  // A shade under the text, so it reads over any artwork.
  parts.push(
    `<defs><linearGradient id="shade" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0"/><stop offset="1" stop-color="#000" stop-opacity="0.7"/></linearGradient></defs>`,
    `<rect y="150" width="${WIDTH}" height="150" fill="url(#shade)"/>`,
  );
  if (images.primaryLogo) parts.push(pngImage(images.primaryLogo, 12, 12, 120, 36));
  if (images.secondaryLogo) parts.push(pngImage(images.secondaryLogo, WIDTH - 92, 12, 80, 36));
  const white = { fill: "#ffffff" };
  const start = timeIn(s.eventStartDate, undefined, true);
  parts.push(text(14, 236, clip(str(s.eventName), 24, WIDTH - 28), { size: 24, weight: 700, ...white }));
  parts.push(text(14, 260, clip(start, 13, WIDTH - 28), { size: 13, weight: 600, ...white }));
  parts.push(text(14, 282, clip(str(s.venueName), 13, WIDTH - 28), { size: 13, ...white }));
  parts.push(`<rect y="300" width="${WIDTH}" height="${HEIGHT - 300}" fill="${palette.background}"/>`);
  parts.push(barcode(pass, HEIGHT - 14, 110));
  return parts.join("");
}

function semanticBoardingFront(pass: Record<string, unknown>, images: PassImages, palette: Palette): string {
  const s = pass.semantics as Record<string, unknown>;
  const label = (x: number, y: number, content: string, anchor: "start" | "end" = "start") =>
    text(x, y, clip(content.toUpperCase(), 9, 140), { size: 9, weight: 600, fill: palette.label, anchor });
  const value = (x: number, y: number, content: string, size = 15, anchor: "start" | "end" = "start") =>
    text(x, y, clip(content, size, 140), { size, fill: palette.foreground, anchor });
  const parts: string[] = [];
  if (images.logo) parts.push(pngImage(images.logo, 12, 8, 100, 36));
  const flight = str(s.flightCode) || `${str(s.airlineCode)}${str(s.flightNumber)}`;
  parts.push(label(WIDTH - 12, 20, "Flight", "end"), value(WIDTH - 12, 38, flight, 15, "end"));
  if (!images.logo && str(s.transitProvider)) {
    parts.push(text(12, 34, clip(str(s.transitProvider), 16, 210), { size: 16, fill: palette.foreground }));
  }

  // The two airports, with each one's own time.
  const fromZone = s.departureAirportTimeZone ?? s.departureLocationTimeZone;
  const toZone = s.destinationAirportTimeZone ?? s.destinationLocationTimeZone;
  parts.push(value(12, 98, str(s.departureAirportCode), 40));
  parts.push(value(WIDTH - 12, 98, str(s.destinationAirportCode), 40, "end"));
  parts.push(
    `<path d="M${WIDTH / 2 - 14} 84h24m-7 -7l7 7l-7 7" stroke="${palette.foreground}" stroke-width="2.5" fill="none" stroke-linecap="round" stroke-linejoin="round"/>`,
  );
  parts.push(label(12, 116, str(s.departureCityName || s.departureAirportName)));
  parts.push(label(WIDTH - 12, 116, str(s.destinationCityName || s.destinationAirportName), "end"));
  parts.push(value(12, 136, timeIn(s.currentDepartureDate ?? s.originalDepartureDate, fromZone), 17));
  parts.push(value(WIDTH - 12, 136, timeIn(s.currentArrivalDate ?? s.originalArrivalDate, toZone), 17, "end"));

  // Gate, terminal, boarding, group, seat: what is known, left to right.
  const seat = Array.isArray(s.seats) ? str((s.seats[0] as Record<string, unknown> | undefined)?.seatNumber) : "";
  const details = [
    ["Gate", str(s.departureGate)],
    ["Terminal", str(s.departureTerminal)],
    ["Boards", timeIn(s.currentBoardingDate ?? s.originalBoardingDate, fromZone)],
    ["Group", str(s.boardingGroup || s.boardingZone)],
    ["Seat", seat],
  ].filter(([, v]) => v !== "");
  const shown = details.slice(0, 4);
  const step = (WIDTH - 24) / Math.max(1, shown.length);
  shown.forEach(([name, v], i) => {
    parts.push(label(12 + i * step, 176, name!), value(12 + i * step, 196, v!, 17));
  });
  const person = (s.passengerName ?? {}) as Record<string, unknown>;
  const passenger = [str(person.givenName), str(person.familyName)].filter(Boolean).join(" ");
  if (passenger) parts.push(label(12, 228, "Passenger"), value(12, 246, passenger, 15));
  parts.push(barcode(pass, HEIGHT - 16, 120));
  return parts.join("");
}

/** The front of a newer layout's pass: its SVG body (the card's background and clip are the caller's). */
export function layoutFront(layout: Layout, pass: Record<string, unknown>, images: PassImages, palette: Palette) {
  return layout === "posterEventTicket"
    ? posterFront(pass, images, palette)
    : semanticBoardingFront(pass, images, palette);
}
