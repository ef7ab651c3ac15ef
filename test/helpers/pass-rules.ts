// Apple's published rules for pass.json, written for the tests from Apple's open-source pass-builder (its
// Protobufs/PassSemantics.proto for tag types, Validation/Validators/BoardingPassValidator.swift and
// EventTicketValidator.swift for what the semantic boarding pass and the poster event ticket require). Independent
// of the server's own tables, so a test checks the server against Apple, not against itself.

const ISO_WITH_ZONE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/;

/** Types of the tags the tests meet, as PassSemantics.proto declares them. */
const TAG_TYPES: Record<string, "string" | "int" | "date" | "name" | "seats" | "strings" | "enum"> = {
  airlineCode: "string",
  flightNumber: "int",
  flightCode: "string",
  departureAirportCode: "string",
  departureCityName: "string",
  departureAirportTimeZone: "string",
  departureLocationTimeZone: "string",
  departureGate: "string",
  departureTerminal: "string",
  destinationAirportCode: "string",
  destinationCityName: "string",
  destinationAirportTimeZone: "string",
  destinationLocationTimeZone: "string",
  originalDepartureDate: "date",
  originalBoardingDate: "date",
  originalArrivalDate: "date",
  currentDepartureDate: "date",
  currentBoardingDate: "date",
  currentArrivalDate: "date",
  passengerName: "name",
  seats: "seats",
  boardingGroup: "string",
  confirmationNumber: "string",
  transitProvider: "string",
  transitStatus: "string",
  eventName: "string",
  venueName: "string",
  eventStartDate: "date",
  eventEndDate: "date",
  eventType: "enum",
  homeTeamAbbreviation: "string",
  awayTeamAbbreviation: "string",
  performerNames: "strings",
};

function tagProblems(semantics: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(semantics)) {
    const type = TAG_TYPES[key];
    if (!type) continue; // a tag these tests do not meet: its type is not checked here
    const ok =
      type === "string"
        ? typeof value === "string"
        : type === "int"
          ? Number.isInteger(value)
          : type === "date"
            ? typeof value === "string" && ISO_WITH_ZONE.test(value)
            : type === "name"
              ? typeof value === "object" && value !== null && !Array.isArray(value)
              : type === "seats"
                ? Array.isArray(value) && value.every((s) => typeof s === "object" && s !== null)
                : type === "strings"
                  ? Array.isArray(value) && value.every((s) => typeof s === "string")
                  : typeof value === "string" && value.startsWith("PKEventType");
    if (!ok) problems.push(`semantics.${key} is not a ${type}`);
  }
  return problems;
}

const empty = (v: unknown) =>
  v === undefined ||
  v === null ||
  v === "" ||
  (Array.isArray(v) && v.length === 0) ||
  (typeof v === "object" && v !== null && Object.keys(v).length === 0);

/** Errors pass-builder reports for a pass.json (and its bundle's file names), as its validators word them. */
export function passBuilderErrors(pass: Record<string, unknown>, files: string[] = []): string[] {
  const errors: string[] = [];
  const semantics = (pass.semantics ?? {}) as Record<string, unknown>;
  errors.push(...tagProblems(semantics));
  const schemes = (pass.preferredStyleSchemes ?? []) as string[];
  if (pass.boardingPass && schemes.includes("semanticBoardingPass")) {
    const transit = (pass.boardingPass as { transitType?: string }).transitType;
    if (transit !== "PKTransitTypeAir") errors.push("semantic boarding pass needs PKTransitTypeAir");
    for (const [key, message] of [
      ["airlineCode", "MISSING_AIRLINE_CODE"],
      ["flightNumber", "MISSING_FLIGHT_NUMBER"],
      ["originalDepartureDate", "MISSING_DEPARTURE_DATE"],
      ["originalBoardingDate", "MISSING_BOARDING_DATE"],
      ["originalArrivalDate", "MISSING_ARRIVAL_DATE"],
      ["departureAirportTimeZone", "MISSING_DEPARTURE_AIRPORT_TIMEZONE"],
      ["departureAirportCode", "MISSING_DEPARTURE_AIRPORT_CODE"],
      ["destinationAirportCode", "MISSING_DESTINATION_AIRPORT_CODE"],
      ["passengerName", "MISSING_PASSENGER_NAME"],
    ] as const) {
      if (empty(semantics[key])) errors.push(`PASS_VALIDATION_EVENT_${message}`);
    }
  }
  if (pass.eventTicket && schemes.includes("posterEventTicket")) {
    const nfc = pass.nfc as { requiresAuthentication?: unknown } | undefined;
    if (!nfc) errors.push("PASS_VALIDATION_EVENT_MISSING_NFC");
    else if (nfc.requiresAuthentication === undefined) errors.push("PASS_VALIDATION_EVENT_MISSING_NFC_AUTH");
    if (empty(semantics.eventName)) errors.push("PASS_VALIDATION_EVENT_MISSING_EVENT_NAME");
    if (empty(semantics.venueName)) errors.push("PASS_VALIDATION_EVENT_MISSING_VENUE_NAME");
    if (semantics.eventType === "PKEventTypeSports") {
      if (empty(semantics.awayTeamAbbreviation)) errors.push("PASS_VALIDATION_EVENT_MISSING_AWAY_TEAM_ABBREVIATION");
      if (empty(semantics.homeTeamAbbreviation)) errors.push("PASS_VALIDATION_EVENT_MISSING_HOME_TEAM_ABBREVIATION");
    }
    if (!files.some((f) => f.startsWith("artwork") || f.startsWith("background"))) {
      errors.push("PASS_VALIDATION_EVENT_MISSING_ARTWORK_IMAGE");
    }
  }
  return errors;
}
