// Apple's newer pass.json keys, carried as headers of templates and passes (as every top-level pass key is here):
// `semantics` (Apple's SemanticTags, typed as in Apple's pass-builder protobufs), `relevantDates`,
// `preferredStyleSchemes`, the poster event ticket's keys and the boarding-pass and event-guide URLs. Each value is
// checked here, so a template or pass that names one wrongly is a 400 naming the key.
import { isObject, parseColor } from "./values.js";

type TagType =
  | "string"
  | "integer"
  | "boolean"
  | "date"
  | "strings"
  | "seats"
  | "personName"
  | "location"
  | "currency"
  | "wifi"
  | "eventType"
  | "dateInfo";

/** Apple's SemanticTags (JSON names) and their types. */
export const SEMANTIC_TAGS: Record<string, TagType> = {
  admissionLevel: "string",
  admissionLevelAbbreviation: "string",
  additionalTicketAttributes: "string",
  attendeeName: "string",
  entranceDescription: "string",
  eventType: "eventType",
  eventName: "string",
  eventStartDate: "date",
  eventStartDateInfo: "dateInfo",
  eventEndDate: "date",
  seats: "seats",
  tailgatingAllowed: "boolean",
  venueBoxOfficeOpenDate: "date",
  venueCloseDate: "date",
  venueDoorsOpenDate: "date",
  venueEntrance: "string",
  venueEntranceDoor: "string",
  venueEntranceGate: "string",
  venueEntrancePortal: "string",
  venueFanZoneOpenDate: "date",
  venueGatesOpenDate: "date",
  venueLocation: "location",
  venueName: "string",
  venueOpenDate: "date",
  venueParkingLotsOpenDate: "date",
  venuePhoneNumber: "string",
  venueRegionName: "string",
  venueRoom: "string",
  awayTeamAbbreviation: "string",
  awayTeamLocation: "string",
  awayTeamName: "string",
  homeTeamAbbreviation: "string",
  homeTeamLocation: "string",
  homeTeamName: "string",
  leagueAbbreviation: "string",
  leagueName: "string",
  sportName: "string",
  genre: "string",
  albumIDs: "strings",
  artistIDs: "strings",
  performerNames: "strings",
  playlistIDs: "strings",
  airlineCode: "string",
  airlineLoungePlaceID: "string",
  airlinePassengerCapabilities: "strings",
  boardingGroup: "string",
  boardingZone: "string",
  boardingSequenceNumber: "string",
  carNumber: "string",
  confirmationNumber: "string",
  currentArrivalDate: "date",
  currentBoardingDate: "date",
  currentDepartureDate: "date",
  departureAirportCode: "string",
  departureAirportName: "string",
  departureAirportSecurityPrograms: "strings",
  departureAirportTimeZone: "string",
  departureLocationTimeZone: "string",
  departureCityName: "string",
  departureGate: "string",
  departureLocation: "location",
  departureLocationDescription: "string",
  departurePlatform: "string",
  departureStationName: "string",
  departureTerminal: "string",
  destinationAirportCode: "string",
  destinationAirportName: "string",
  destinationAirportSecurityPrograms: "strings",
  destinationAirportTimeZone: "string",
  destinationLocationTimeZone: "string",
  destinationCityName: "string",
  destinationGate: "string",
  destinationLocation: "location",
  destinationLocationDescription: "string",
  destinationPlatform: "string",
  destinationStationName: "string",
  destinationTerminal: "string",
  duration: "integer",
  flightCode: "string",
  flightNumber: "integer",
  internationalDocumentsAreVerified: "boolean",
  internationalDocumentsVerifiedDeclarationName: "string",
  membershipProgramName: "string",
  membershipProgramNumber: "string",
  originalBoardingDate: "date",
  originalDepartureDate: "date",
  originalArrivalDate: "date",
  passengerAirlineSSRs: "strings",
  passengerInformationSSRs: "strings",
  passengerName: "personName",
  passengerServiceSSRs: "strings",
  passengerEligibleSecurityPrograms: "strings",
  priorityStatus: "string",
  securityScreening: "string",
  ticketFareClass: "string",
  transitProvider: "string",
  transitStatus: "string",
  transitStatusReason: "string",
  vehicleName: "string",
  vehicleNumber: "string",
  vehicleType: "string",
  balance: "currency",
  silenceRequested: "boolean",
  totalPrice: "currency",
  wifiAccess: "wifi",
};

export const EVENT_TYPES = [
  "PKEventTypeGeneric",
  "PKEventTypeLivePerformance",
  "PKEventTypeMovie",
  "PKEventTypeSports",
  "PKEventTypeConference",
  "PKEventTypeConvention",
  "PKEventTypeWorkshop",
  "PKEventTypeSocialGathering",
];

export const STYLE_SCHEMES = ["semanticBoardingPass", "boardingPass", "posterEventTicket", "eventTicket"];

/** Top-level URL keys: the boarding pass's services and the event guide's. */
export const URL_KEYS = [
  "changeSeatURL",
  "entertainmentURL",
  "purchaseAdditionalBaggageURL",
  "purchaseLoungeAccessURL",
  "purchaseWifiURL",
  "upgradeURL",
  "managementURL",
  "registerServiceAnimalURL",
  "reportLostBagURL",
  "requestWheelchairURL",
  "transitProviderWebsiteURL",
  "bagPolicyURL",
  "orderFoodURL",
  "parkingInformationURL",
  "directionsInformationURL",
  "merchandiseURL",
  "transferURL",
  "sellURL",
  "addOnURL",
  "accessibilityURL",
  "purchaseParkingURL",
  "contactVenueWebsite",
  "transitInformationURL",
  "appLaunchURL",
];

/** Top-level text keys (contacts, the poster ticket's logo text). */
export const TEXT_KEYS = [
  "transitProviderEmail",
  "transitProviderPhoneNumber",
  "contactVenueEmail",
  "contactVenuePhoneNumber",
  "eventLogoText",
  "groupingIdentifier",
  "logoSymbolName",
];

/** Top-level true/false keys. */
export const FLAG_KEYS = ["useAutomaticColors", "suppressHeaderDarkening"];

/** Headers whose value is not a plain text: each with its check. */
const STRUCTURED: Record<string, (value: unknown, at: string) => string | undefined> = {
  semantics: (value, at) => semanticsProblem(value, at),
  relevantDates: (value, at) => relevantDatesProblem(value, at),
  featuredActions: (value, at) =>
    Array.isArray(value) &&
    value.length <= 10 &&
    value.every(
      (a) =>
        isObject(a) &&
        text(a.identifier) &&
        text(a.actionType) &&
        (a.url === undefined || (typeof a.url === "string" && /^https:\/\//i.test(a.url))),
    )
      ? undefined
      : `${at} must be an array of at most 10 {"identifier", "actionType", "url"?: https}`,
  upcomingPassInformation: (value, at) => upcomingProblem(value, at),
  associatedStoreIdentifiers: (value, at) => storeIdsProblem(value, at),
  auxiliaryStoreIdentifiers: (value, at) => storeIdsProblem(value, at),
  preferredStyleSchemes: (value, at) =>
    Array.isArray(value) && value.length <= 4 && value.every((s) => STYLE_SCHEMES.includes(s as string))
      ? undefined
      : `${at} must be an array of ${STYLE_SCHEMES.join(", ")}`,
};

/** Every header this module knows (a pass may carry them even when its template does not). */
export const APPLE_KEY_HEADERS = [
  ...Object.keys(STRUCTURED),
  ...URL_KEYS,
  ...TEXT_KEYS,
  ...FLAG_KEYS,
  "footerBackgroundColor",
  "stripColor",
];

export const isStructuredHeader = (name: string) => Object.hasOwn(STRUCTURED, name);

/** The problem with a value of one of these headers, or undefined (also for headers this module does not own). */
export function appleKeyProblem(name: string, value: unknown, at: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  const structured = STRUCTURED[name];
  if (structured) return structured(value, at);
  if (URL_KEYS.includes(name)) {
    return typeof value === "string" && /^(https:\/\/|mailto:|tel:)/i.test(value) && value.length <= 2048
      ? undefined
      : `${at} must be an https URL (or mailto:/tel:) of at most 2048 characters`;
  }
  if ((name === "footerBackgroundColor" || name === "stripColor") && !parseColor(String(value))) {
    return `${at} must be a colour: rgb(r, g, b) or #rrggbb`;
  }
  if (FLAG_KEYS.includes(name) && !["true", "false", true, false].includes(value as string | boolean)) {
    return `${at} must be true or false`;
  }
  return undefined;
}

/** Entries of upcomingPassInformation (iOS 26): at most this many on a pass. */
export const MAX_UPCOMING = 20;
const UPCOMING_URL_KEYS = [
  "accessibilityURL",
  "addOnURL",
  "bagPolicyURL",
  "contactVenueWebsite",
  "directionsInformationURL",
  "merchandiseURL",
  "orderFoodURL",
  "parkingInformationURL",
  "purchaseParkingURL",
  "sellURL",
  "transferURL",
  "transitInformationURL",
];
const UPCOMING_IMAGES = ["headerImage", "venueMap"];

/**
 * An image of an upcoming entry as a request gives it: `{"url": "<https or data:image URI>"}` (the server fetches
 * and hosts it), or as stored `{"urls": [{"sha256", "scale"?}]}` (an image the server hosts already).
 */
function upcomingImageProblem(image: unknown, at: string): string | undefined {
  if (!isObject(image)) return `${at} must be {"url"} or {"urls": [{"sha256", "scale"?}]}`;
  if (typeof image.url === "string") {
    return /^(https:\/\/|data:image\/png;base64,)/i.test(image.url) && image.url.length <= 3_000_000
      ? undefined
      : `${at}.url must be an https URL or a data:image/png URI`;
  }
  if (
    Array.isArray(image.urls) &&
    image.urls.length >= 1 &&
    image.urls.length <= 3 &&
    image.urls.every(
      (u) => isObject(u) && typeof u.sha256 === "string" && /^[0-9a-f]{64}$/.test(u.sha256) && u.url === undefined,
    )
  ) {
    return undefined;
  }
  return `${at} must be {"url"} or {"urls": [{"sha256", "scale"?}]}`;
}

function upcomingProblem(value: unknown, at: string): string | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_UPCOMING) {
    return `${at} must be an array of 1 to ${MAX_UPCOMING} entries`;
  }
  const ids = new Set<string>();
  for (const [i, entry] of value.entries()) {
    const where = `${at}[${i}]`;
    if (!isObject(entry)) return `${where} must be an object`;
    if (!text(entry.identifier) || entry.identifier === "") return `${where}.identifier must be a non-empty string`;
    if (ids.has(entry.identifier as string)) return `${where}.identifier "${entry.identifier}" is used twice`;
    ids.add(entry.identifier as string);
    if (!text(entry.name) || entry.name === "") return `${where}.name must be a non-empty string`;
    if (entry.type !== "event") return `${where}.type must be "event"`;
    if (entry.isActive !== undefined && typeof entry.isActive !== "boolean")
      return `${where}.isActive must be true or false`;
    const date = entry.dateInformation;
    if (date !== undefined) {
      if (!isObject(date)) return `${where}.dateInformation must be an object`;
      if (date.date !== undefined && !isDate(date.date)) {
        return `${where}.dateInformation.date must be an ISO 8601 date-time with a time zone`;
      }
      if (date.timeZone !== undefined && !text(date.timeZone))
        return `${where}.dateInformation.timeZone must be a string`;
      for (const flag of ["ignoreTimeComponents", "isAllDay", "isUnannounced", "isUndetermined"]) {
        if (date[flag] !== undefined && typeof date[flag] !== "boolean") {
          return `${where}.dateInformation.${flag} must be true or false`;
        }
      }
    }
    if (entry.semantics !== undefined) {
      const problem = semanticsProblem(entry.semantics, `${where}.semantics`);
      if (problem) return problem;
    }
    if (entry.urls !== undefined) {
      if (!isObject(entry.urls)) return `${where}.urls must be an object`;
      for (const [key, url] of Object.entries(entry.urls)) {
        if (key === "contactVenueEmail" || key === "contactVenuePhoneNumber") {
          if (!text(url)) return `${where}.urls.${key} must be a string`;
        } else if (!UPCOMING_URL_KEYS.includes(key)) return `${where}.urls.${key.slice(0, 64)} is not one of Apple's`;
        else if (typeof url !== "string" || !/^https:\/\//i.test(url))
          return `${where}.urls.${key} must be an https URL`;
      }
    }
    for (const list of ["additionalInfoFields", "backFields"]) {
      const fields = entry[list];
      if (fields === undefined) continue;
      if (
        !Array.isArray(fields) ||
        fields.length > 20 ||
        !fields.every((f) => isObject(f) && text(f.key) && (typeof f.value === "string" || Number.isFinite(f.value)))
      ) {
        return `${where}.${list} must be an array of {"key", "label"?, "value"}`;
      }
    }
    if (entry.images !== undefined) {
      if (!isObject(entry.images)) return `${where}.images must be an object`;
      for (const [key, image] of Object.entries(entry.images)) {
        if (!UPCOMING_IMAGES.includes(key))
          return `${where}.images.${key.slice(0, 64)} must be headerImage or venueMap`;
        const problem = upcomingImageProblem(image, `${where}.images.${key}`);
        if (problem) return problem;
      }
    }
    if (entry.auxiliaryStoreIdentifiers !== undefined) {
      const problem = storeIdsProblem(entry.auxiliaryStoreIdentifiers, `${where}.auxiliaryStoreIdentifiers`);
      if (problem) return problem;
    }
  }
  return undefined;
}

function storeIdsProblem(value: unknown, at: string): string | undefined {
  return Array.isArray(value) && value.length <= 10 && value.every((id) => Number.isSafeInteger(id) && id > 0)
    ? undefined
    : `${at} must be an array of at most 10 App Store ids (integers)`;
}

const isDate = (v: unknown) =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(v);

function relevantDatesProblem(value: unknown, at: string): string | undefined {
  if (!Array.isArray(value) || value.length === 0 || value.length > 10) {
    return `${at} must be an array of 1 to 10 {"startDate", "endDate"} or {"date"} entries`;
  }
  for (const [i, entry] of value.entries()) {
    const where = `${at}[${i}]`;
    if (!isObject(entry)) return `${where} must be {"startDate", "endDate"} or {"date"}`;
    const keys = Object.keys(entry);
    if (keys.some((k) => !["date", "startDate", "endDate"].includes(k))) {
      return `${where} may have only date, startDate and endDate`;
    }
    for (const key of keys) {
      if (!isDate(entry[key])) return `${where}.${key} must be an ISO 8601 date-time with a time zone`;
    }
    if (entry.date === undefined && entry.startDate === undefined) return `${where} needs date or startDate`;
    if (
      entry.startDate !== undefined &&
      entry.endDate !== undefined &&
      Date.parse(String(entry.endDate)) < Date.parse(String(entry.startDate))
    ) {
      return `${where}.endDate must not be before startDate`;
    }
  }
  return undefined;
}

const text = (v: unknown) => typeof v === "string" && v.length <= 1000;

/** Apple's SemanticTags, each key and type checked (an unknown tag is named). */
export function semanticsProblem(value: unknown, at: string): string | undefined {
  if (!isObject(value)) return `${at} must be an object of Apple's semantic tags`;
  for (const [key, tag] of Object.entries(value)) {
    const type = SEMANTIC_TAGS[key];
    const where = `${at}.${key.slice(0, 64)}`;
    if (!type) return `${where} is not one of Apple's semantic tags`;
    const problem = tagProblem(type, tag);
    if (problem) return `${where} ${problem}`;
  }
  return undefined;
}

function tagProblem(type: TagType, v: unknown): string | undefined {
  switch (type) {
    case "string":
      return text(v) ? undefined : "must be a string of at most 1000 characters";
    case "integer":
      return Number.isSafeInteger(v) ? undefined : "must be an integer";
    case "boolean":
      return typeof v === "boolean" ? undefined : "must be true or false";
    case "date":
      return isDate(v) ? undefined : "must be an ISO 8601 date-time with a time zone";
    case "strings":
      return Array.isArray(v) && v.length <= 50 && v.every(text) ? undefined : "must be an array of strings";
    case "eventType":
      return EVENT_TYPES.includes(v as string) ? undefined : `must be one of ${EVENT_TYPES.join(", ")}`;
    case "location":
      return isObject(v) && Number.isFinite(v.latitude) && Number.isFinite(v.longitude)
        ? undefined
        : "must be {latitude, longitude}";
    case "currency":
      return isObject(v) && text(v.amount) && typeof v.currencyCode === "string" && /^[A-Z]{3}$/.test(v.currencyCode)
        ? undefined
        : 'must be {"amount": "12.50", "currencyCode": "USD"}';
    case "personName":
      return isObject(v) && Object.values(v).every(text) ? undefined : "must be {givenName, familyName, …}";
    case "seats":
      return Array.isArray(v) && v.length <= 20 && v.every((s) => isObject(s) && Object.values(s).every(text))
        ? undefined
        : "must be an array of {seatNumber, seatRow, seatSection, …}";
    case "wifi":
      return Array.isArray(v) && v.every((w) => isObject(w) && text(w.ssid) && text(w.password))
        ? undefined
        : "must be an array of {ssid, password}";
    case "dateInfo":
      return isObject(v) && isDate(v.date) ? undefined : "must be {date, …}";
  }
}
