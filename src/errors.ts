// The error catalog: every error a caller can be answered with, its HTTP status and its stable code. Any module
// (domain rules, Apple, Google, services, repositories) throws these; `http/error-replies.ts` only renders them as
// {"error", "code", "details"?, "requestId"}. docs/errors.md is generated from this list (a test keeps it current).

interface Entry {
  readonly status: number;
  /** When a caller gets it (docs/errors.md). */
  readonly when: string;
}

export const ERRORS = {
  // 400 — the request cannot be used as it is
  MALFORMED_REQUEST: {
    status: 400,
    when: "The request cannot be read: invalid JSON, NUL characters or unpaired surrogates, nesting deeper than 32, keys longer than 256.",
  },
  VALIDATION_FAILED: { status: 400, when: "A value breaks a rule; `details` lists every problem found." },
  CALLBACK_TARGET_REFUSED: {
    status: 400,
    when: "A callback URL is not https, or names a private address (see OUTBOUND_ALLOWLIST).",
  },
  WEBHOOK_TARGET_REFUSED: {
    status: 400,
    when: "A webhook endpoint URL is not https, or names a private address (see OUTBOUND_ALLOWLIST).",
  },
  WEBHOOK_ENDPOINT_LIMIT: { status: 400, when: "The account has 20 webhook endpoints already." },
  INVALID_SCOPE: {
    status: 400,
    when: "POST /token asked for a scope that does not exist or that the API key may not use.",
  },
  INVALID_VALUE: { status: 400, when: "A value is out of the range the store holds." },
  UNSUPPORTED_API_REVISION: { status: 400, when: "`Api-Revision` is not 1.2." },
  INVALID_ORDER: { status: 400, when: "A list's `order` is not one it can be sorted by." },
  INVALID_DIRECTION: { status: 400, when: "A list's `direction` is not ASC or DESC." },
  INVALID_PAGE_SIZE: { status: 400, when: "`pageSize` is outside 1 to 1000." },
  INVALID_IMAGE: { status: 400, when: "An image URL could not be fetched, or is not a PNG of at most 2 MiB." },
  INVALID_CREDENTIALS: { status: 400, when: "A Google issuer id or service-account key is unusable." },
  INVALID_CERTIFICATE: {
    status: 400,
    when: "An Apple certificate or key cannot be read, or cannot sign passes Wallet accepts.",
  },
  CERTIFICATE_EXPIRED: { status: 400, when: "The Apple certificate has expired (or is not valid yet)." },
  ITERATION_COUNT_TOO_HIGH: {
    status: 400,
    when: "An uploaded .p12 or key asks for more than 2,000,000 key-derivation iterations.",
  },
  CERTIFICATE_TOO_COSTLY: { status: 400, when: "Reading an uploaded certificate took longer than 2.5 s." },
  INVALID_PUBLIC_KEY: { status: 400, when: "An NFC merchant key is not an EC P-256 public key." },
  NFC_KEY_IMMUTABLE: { status: 400, when: "An NFC merchant's key cannot be changed." },
  PERSONALIZATION_UNSUPPORTED: {
    status: 400,
    when: "Personalization was set on a template that is not an Apple loyalty (store card) template.",
  },
  NOT_AN_APPLE_PASS: { status: 400, when: "A pass.json was asked of a Google pass." },
  VENDOR_MISMATCH: { status: 400, when: "A template update would change its vendor (Apple ⇄ Google)." },
  TEMPLATES_REQUIRED: { status: 400, when: "Passes of several templates have the external id: name the templates." },
  // 401, 403
  UNAUTHORIZED: { status: 401, when: "API credentials (or a pass's ApplePass token) are missing or wrong." },
  INVALID_SIGNATURE: { status: 401, when: "A Google Wallet callback does not verify." },
  SCOPE_REQUIRED: {
    status: 403,
    when: "An OAuth token or a scoped API key lacks the scope the route needs; `details.scope` names it.",
  },
  PROJECT_FORBIDDEN: {
    status: 403,
    when: "An API key (or its token) limited to one project was used on another project, or on an account-wide route.",
  },
  READ_ONLY_KEY: {
    status: 403,
    when: "A read-only API key (or its token, or a console session of it) asked for a change; only reads are allowed.",
  },
  CSRF_REJECTED: {
    status: 403,
    when: "A change sent with the console's session cookie lacked its `X-CSRF-Token`, or came from another origin.",
  },
  DEVICE_LIMIT: { status: 403, when: "The Apple pass is registered on 100,000 devices already." },
  // 404 — what the caller named does not exist (or is another account's)
  ROUTE_NOT_FOUND: { status: 404, when: "No such route." },
  ACCOUNT_NOT_FOUND: { status: 404, when: "No such account." },
  PROJECT_NOT_FOUND: { status: 404, when: "No project of the caller's account has this id or external id." },
  TEMPLATE_NOT_FOUND: { status: 404, when: "No template of the caller's account has this id or external id." },
  PASS_NOT_FOUND: { status: 404, when: "No pass of the caller's account has this id or external id." },
  TAG_NOT_FOUND: { status: 404, when: "The account has no such tag (or the pass does not carry it)." },
  LOCATION_NOT_FOUND: { status: 404, when: "The template or pass has no location with this id." },
  NFC_MERCHANT_NOT_FOUND: { status: 404, when: "The project has no NFC merchant with this id." },
  PERSONALIZATION_NOT_FOUND: { status: 404, when: "The template has no personalization requirements." },
  ADAPTIVE_LINK_NOT_FOUND: { status: 404, when: "No adaptive link has this id (or external id in the project)." },
  FLIGHT_NOT_FOUND: { status: 404, when: "No flight of the project has this id or external id." },
  EVENT_NOT_FOUND: { status: 404, when: "No event of the project has this id or external id." },
  PASS_GROUP_NOT_FOUND: { status: 404, when: "No flight (event) of the project is in this pass group." },
  TICKET_NOT_FOUND: { status: 404, when: "No ticket of the caller's account has this id." },
  CERTIFICATE_NOT_FOUND: { status: 404, when: "The project has no certificate of its own." },
  ACCOUNT_CERTIFICATE_NOT_FOUND: {
    status: 404,
    when: "The account has no certificate (/v1/certificates) with this id.",
  },
  GOOGLE_CREDENTIALS_NOT_FOUND: { status: 404, when: "The project has no Google issuer of its own." },
  IMAGE_NOT_FOUND: { status: 404, when: "No stored image has this hash." },
  CALLBACK_NOT_FOUND: { status: 404, when: "The project has no callback configured." },
  SEGMENT_NOT_FOUND: { status: 404, when: "The project has no segment with this id." },
  SCHEDULE_NOT_FOUND: { status: 404, when: "The project has no schedule with this id." },
  WEBHOOK_ENDPOINT_NOT_FOUND: { status: 404, when: "The account has no webhook endpoint with this id." },
  NOT_PERSONALIZABLE: {
    status: 404,
    when: "Personalize was called for a pass whose template asks for no personalization.",
  },
  // 409 — the request conflicts with what exists
  PROJECT_EXISTS: { status: 409, when: "A project with this external id exists already." },
  TEMPLATE_EXISTS: { status: 409, when: "A template with this external id exists already." },
  PASS_EXISTS: { status: 409, when: "The template has a pass with this external id already." },
  ADAPTIVE_LINK_EXISTS: { status: 409, when: "The project has an adaptive link with this external id already." },
  FLIGHT_EXISTS: { status: 409, when: "The project has a flight with this external id already." },
  EVENT_EXISTS: { status: 409, when: "The project has an event with this external id already." },
  API_KEY_EXISTS: { status: 409, when: "An API key with this name exists already." },
  CONCURRENT_CHANGE: { status: 409, when: "Another request changed the same thing at the same moment; try again." },
  AMBIGUOUS_EXTERNAL_ID: {
    status: 409,
    when: "Passes of several templates have the external id; `details.templates` names them.",
  },
  SCHEDULE_ALREADY_RAN: { status: 409, when: "A schedule that has run already cannot be changed." },
  ALREADY_PERSONALIZED: { status: 409, when: "The pass has been personalized already." },
  LINK_REFUSED: { status: 409, when: "An adaptive link cannot issue a pass with these parameters." },
  // 410, 413, 415, 429
  LINK_EXPIRED: { status: 410, when: "The adaptive link has expired." },
  LINK_EXHAUSTED: { status: 410, when: "The adaptive link has handed out all its passes." },
  LINK_USED: { status: 410, when: "The single-use pass link has been used." },
  BODY_TOO_LARGE: { status: 413, when: "The body is larger than the route accepts." },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, when: "The body's Content-Type is not JSON or a form." },
  RATE_LIMITED: { status: 429, when: "Too many requests of this kind; `Retry-After` says when to try again." },
  BUSY: { status: 429, when: "The server is reading other certificates; try again shortly." },
  HEAVY_REQUESTS_BUSY: {
    status: 429,
    when: "The account already has 2 requests running that resolve audiences, count segments or read statistics (per server process); `Retry-After` says when to try again.",
  },
  // 5xx
  INTERNAL: { status: 500, when: "Something failed on the server; the message is hidden, the requestId is logged." },
  GOOGLE_UNAVAILABLE: {
    status: 503,
    when: "A Google pass's object could not be sent to Google just now (over quota, or unreachable); `Retry-After` says when to try again.",
  },
  QUERY_TIMEOUT: {
    status: 503,
    when: "A statement of the request ran longer than `DB_STATEMENT_TIMEOUT_MS` (10 s by default, lock waits included) and was cancelled; nothing was written.",
  },
  DATABASE_CONFLICT: {
    status: 503,
    when: "Postgres kept refusing the change as a deadlock or serialization failure after 5 attempts (a crowd on one row); nothing was written; `Retry-After` says when to try again.",
  },
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERRORS;

/** An error a caller can act on: its code (and so its status) comes from the catalog. */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = "AppError";
    this.status = ERRORS[code].status;
  }
}

/** The things a path or body can name that may not exist, and the code their absence answers. */
const MISSING = {
  Account: "ACCOUNT_NOT_FOUND",
  Project: "PROJECT_NOT_FOUND",
  Template: "TEMPLATE_NOT_FOUND",
  Pass: "PASS_NOT_FOUND",
  Tag: "TAG_NOT_FOUND",
  Location: "LOCATION_NOT_FOUND",
  "NFC merchant": "NFC_MERCHANT_NOT_FOUND",
  "Personalization requirements": "PERSONALIZATION_NOT_FOUND",
  "Adaptive link": "ADAPTIVE_LINK_NOT_FOUND",
  Flight: "FLIGHT_NOT_FOUND",
  Event: "EVENT_NOT_FOUND",
  "Pass group": "PASS_GROUP_NOT_FOUND",
  Ticket: "TICKET_NOT_FOUND",
  "Project certificate": "CERTIFICATE_NOT_FOUND",
  Certificate: "ACCOUNT_CERTIFICATE_NOT_FOUND",
  "Project Google credentials": "GOOGLE_CREDENTIALS_NOT_FOUND",
  Image: "IMAGE_NOT_FOUND",
  "Project callback": "CALLBACK_NOT_FOUND",
  "Webhook endpoint": "WEBHOOK_ENDPOINT_NOT_FOUND",
  Segment: "SEGMENT_NOT_FOUND",
  Schedule: "SCHEDULE_NOT_FOUND",
} as const satisfies Record<string, ErrorCode>;

export type Missing = keyof typeof MISSING;

/** "<what> not found" with the code of its kind; `named` replaces the message's subject (e.g. `Pass "x"`). */
export const notFound = (what: Missing, named?: string) => new AppError(MISSING[what], `${named ?? what} not found`);

export const unauthorized = (message = "Missing or invalid API credentials") => new AppError("UNAUTHORIZED", message);
export const malformed = (message: string) => new AppError("MALFORMED_REQUEST", message);
