// Apple's semantic tags for a pass, and the newer layouts they unlock. Boarding passes and event tickets get their
// tags filled from the fields Airship's flights, passengers, events and attendees carry (airlineCode, flightNumber,
// departureAirport, seatNumber, passengerName, eventName, venueTitle, …), with local times read in the airports'
// time zones; a `semantics` header adds or overrides tags. A semantic boarding pass (iOS 26) is asked for whenever
// Apple's required tags are present; a poster event ticket (iOS 18) when the pass asks for it and qualifies —
// otherwise the classic layout, with what is missing said.
import type { FieldSpec } from "../domain/field-spec.js";
import { isObject } from "../domain/values.js";
import { airportTimeZone, localToZoned } from "./time-zones.js";

/** Apple's required tags of a semantic boarding pass (pass-builder's BoardingPassValidator errors). */
export const BOARDING_REQUIRED = [
  "airlineCode",
  "flightNumber",
  "originalDepartureDate",
  "originalBoardingDate",
  "originalArrivalDate",
  "departureAirportTimeZone",
  "departureAirportCode",
  "destinationAirportCode",
  "passengerName",
];

/** Apple's required tags of a poster event ticket (pass-builder's EventTicketValidator errors). */
export const POSTER_REQUIRED = ["eventName", "venueName"];

const fieldValue = (fields: Record<string, FieldSpec>, ...names: string[]): string | undefined => {
  for (const name of names) {
    const v = fields[name]?.value;
    if (v !== undefined && v !== null && String(v).trim() !== "") return String(v).trim();
  }
  return undefined;
};
const labelOf = (fields: Record<string, FieldSpec>, name: string): string | undefined => {
  const l = fields[name]?.label;
  return typeof l === "string" && l.trim() !== "" ? l.trim() : undefined;
};

/** "SMITH/JOE" (IATA) or "Joe Smith" as Apple's PersonNameComponents. */
export function personName(text: string): { givenName?: string; familyName?: string } {
  if (text.includes("/")) {
    const [family, given] = text.split("/", 2).map((s) => s.trim());
    return { ...(given ? { givenName: given } : {}), ...(family ? { familyName: family } : {}) };
  }
  const parts = text.trim().split(/\s+/);
  if (parts.length === 1) return { familyName: parts[0]! };
  return { givenName: parts.slice(0, -1).join(" "), familyName: parts[parts.length - 1]! };
}

/** A date value as Apple wants it (with its offset): as given when it has one, else local time in `zone`. */
function zoned(value: string | undefined, zone: string | undefined): string | undefined {
  if (!value) return undefined;
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? value : undefined;
  }
  return zone ? localToZoned(value, zone) : undefined;
}

/** Tags a boarding pass's fields give (Airship's flight and passenger field names). */
function boardingTags(fields: Record<string, FieldSpec>): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) tags[key] = value;
  };
  const airline = fieldValue(fields, "airlineCode", "carrierCode");
  const number = fieldValue(fields, "flightNumber");
  set("airlineCode", airline);
  if (number) {
    // "815", "WN815" or "UA 100": the digits after an airline designator (two characters, at least one a letter).
    const digits = number.replace(/^([A-Z]{2}|[A-Z]\d|\d[A-Z])\s*(?=\d)/i, "").replace(/\D/g, "");
    if (digits) set("flightNumber", Number(digits));
    set("flightCode", airline && /^\d+$/.test(number) ? `${airline}${number}` : number);
  }
  set("transitProvider", fieldValue(fields, "airlineName"));
  const from = fieldValue(fields, "departureAirport", "origin");
  const to = fieldValue(fields, "arrivalAirport", "destinationAirport", "destination");
  const fromZone = from ? airportTimeZone(from) : undefined;
  const toZone = to ? airportTimeZone(to) : undefined;
  set("departureAirportCode", from?.toUpperCase());
  set("departureCityName", labelOf(fields, "departureAirport") ?? fieldValue(fields, "departureCity"));
  set("departureAirportName", fieldValue(fields, "departureAirportName"));
  set("departureAirportTimeZone", fromZone);
  set("departureLocationTimeZone", fromZone);
  set("destinationAirportCode", to?.toUpperCase());
  set("destinationCityName", labelOf(fields, "arrivalAirport") ?? fieldValue(fields, "arrivalCity"));
  set("destinationAirportName", fieldValue(fields, "arrivalAirportName"));
  set("destinationAirportTimeZone", toZone);
  set("destinationLocationTimeZone", toZone);
  set("departureGate", fieldValue(fields, "departureGate", "gate"));
  set("departureTerminal", fieldValue(fields, "departureTerminal", "terminal"));
  set("destinationGate", fieldValue(fields, "arrivalGate"));
  set("destinationTerminal", fieldValue(fields, "arrivalTerminal"));
  // Scheduled times are the original ones; estimated or actual ones, when given, the current ones.
  const departure = zoned(fieldValue(fields, "departureTime", "scheduledDepartureTime"), fromZone);
  const boarding = zoned(fieldValue(fields, "boardingTime"), fromZone);
  const arrival = zoned(fieldValue(fields, "arrivalTime", "scheduledArrivalTime"), toZone);
  set("originalDepartureDate", departure);
  set("originalBoardingDate", boarding);
  set("originalArrivalDate", arrival);
  set(
    "currentDepartureDate",
    zoned(fieldValue(fields, "estimatedDepartureTime", "actualDepartureTime"), fromZone) ?? departure,
  );
  set("currentBoardingDate", zoned(fieldValue(fields, "estimatedBoardingTime"), fromZone) ?? boarding);
  set("currentArrivalDate", zoned(fieldValue(fields, "estimatedArrivalTime", "actualArrivalTime"), toZone) ?? arrival);
  const passenger = fieldValue(fields, "passengerName", "passenger");
  if (passenger) set("passengerName", personName(passenger));
  const seat = fieldValue(fields, "seatNumber", "seat");
  if (seat) {
    const row = /^(\d+)/.exec(seat)?.[1];
    set("seats", [{ seatNumber: seat, ...(row ? { seatRow: row } : {}), ...seatClass(fields) }]);
  }
  set("boardingGroup", fieldValue(fields, "boardingGroup"));
  set("boardingZone", fieldValue(fields, "boardingZone"));
  set("boardingSequenceNumber", fieldValue(fields, "boardingPosition", "sequenceNumber", "boardingSequenceNumber"));
  set("confirmationNumber", fieldValue(fields, "confirmationCode", "confirmationNumber"));
  set("membershipProgramNumber", fieldValue(fields, "frequentFlyerNumber"));
  set("membershipProgramName", fieldValue(fields, "frequentFlyerProgramName"));
  set("ticketFareClass", fieldValue(fields, "seatClass", "fareClass"));
  set("priorityStatus", fieldValue(fields, "priorityStatus"));
  set("transitStatus", fieldValue(fields, "flightStatus"));
  return tags;
}

function seatClass(fields: Record<string, FieldSpec>) {
  const type = fieldValue(fields, "seatClass");
  return type ? { seatType: type } : {};
}

/** Tags an event ticket's fields give (Airship's event and attendee field names). */
function eventTags(fields: Record<string, FieldSpec>): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  const set = (key: string, value: unknown) => {
    if (value !== undefined) tags[key] = value;
  };
  set("eventName", fieldValue(fields, "eventName"));
  set("venueName", fieldValue(fields, "venueTitle", "venueName", "venue"));
  set("venueRegionName", fieldValue(fields, "venueCity", "venueRegion"));
  const start = zoned(fieldValue(fields, "startTime", "eventStartTime"), undefined);
  const end = zoned(fieldValue(fields, "endTime", "eventEndTime"), undefined);
  set("eventStartDate", start);
  set("eventEndDate", end);
  set("venueDoorsOpenDate", zoned(fieldValue(fields, "doorsOpen"), undefined));
  set("attendeeName", fieldValue(fields, "ticketHolderName", "attendeeName"));
  const seat = fieldValue(fields, "seat", "seatNumber");
  const row = fieldValue(fields, "row");
  const section = fieldValue(fields, "section");
  if (seat || row || section) {
    set("seats", [
      {
        ...(seat ? { seatNumber: seat } : {}),
        ...(row ? { seatRow: row } : {}),
        ...(section ? { seatSection: section } : {}),
      },
    ]);
  }
  set("admissionLevel", fieldValue(fields, "ticketType", "admissionLevel"));
  set("entranceDescription", fieldValue(fields, "gate", "entrance"));
  return tags;
}

export interface StyleChoice {
  /** The semantics to emit (auto-mapped tags with the `semantics` header over them), or undefined when none. */
  semantics?: Record<string, unknown>;
  /** preferredStyleSchemes to emit, or undefined for the classic layout. */
  schemes?: string[];
  /** The newer layout the pass asked for (or qualifies for) and the required tags it misses. */
  missing?: { scheme: string; keys: string[] };
}

/**
 * The semantics and layout of a pass: `style` its PassKit style, `transit` its transit type, `fields` and `headers`
 * its merged view, `nfc` whether it carries an NFC payload (poster tickets need one).
 */
export function styleOf(
  style: string,
  transit: string | undefined,
  fields: Record<string, FieldSpec>,
  headers: Record<string, FieldSpec>,
  nfc: boolean,
  /** The flight's (event's) own `semantics`, between the filled tags and the pass's `semantics` header. */
  travel: Record<string, unknown> = {},
): StyleChoice {
  const explicit = {
    ...travel,
    ...(isObject(headers.semantics?.value) ? (headers.semantics.value as Record<string, unknown>) : {}),
  };
  const requested = Array.isArray(headers.preferredStyleSchemes?.value)
    ? (headers.preferredStyleSchemes.value as string[])
    : undefined;
  const auto = style === "boardingPass" ? boardingTags(fields) : style === "eventTicket" ? eventTags(fields) : {};
  const semantics = { ...auto, ...explicit };
  const result: StyleChoice = Object.keys(semantics).length ? { semantics } : {};
  const present = (key: string) => semantics[key] !== undefined && semantics[key] !== "";
  if (style === "boardingPass" && transit === "PKTransitTypeAir") {
    // Asked for unless the pass names its schemes without it.
    if (requested && !requested.includes("semanticBoardingPass")) return result;
    const missing = BOARDING_REQUIRED.filter((k) => !present(k));
    if (missing.length === 0) result.schemes = ["semanticBoardingPass", "boardingPass"];
    else result.missing = { scheme: "semanticBoardingPass", keys: missing };
  }
  if (style === "eventTicket" && requested?.includes("posterEventTicket")) {
    const missing = POSTER_REQUIRED.filter((k) => !present(k));
    if (semantics.eventType === "PKEventTypeSports") {
      missing.push(...["homeTeamAbbreviation", "awayTeamAbbreviation"].filter((k) => !present(k)));
    }
    if (semantics.eventType === "PKEventTypeLivePerformance" && !present("performerNames"))
      missing.push("performerNames");
    if (!nfc) missing.push("nfc");
    const image = (name: string) => typeof headers[name]?.value === "string" && headers[name].value !== "";
    if (!image("artwork_image") && !image("background_image")) missing.push("artwork_image");
    if (missing.length === 0) result.schemes = ["posterEventTicket", "eventTicket"];
    else result.missing = { scheme: "posterEventTicket", keys: missing };
  }
  return result;
}
