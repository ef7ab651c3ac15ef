// The request and response schemas of /v1/pass (the OpenAPI document is built from them).
import { Type } from "@sinclair/typebox";
import { PaginationInfo, PaginationQuery } from "../../core/pagination.js";
import { MAX_HISTORY_PAGE, PASS_EVENT_KINDS } from "../../core/pass-history/service.js";
import { AnyJson, Described } from "../schema-kit.js";

const FieldValues = Type.Record(Type.String(), Type.Unknown(), {
  description: "Header or field name → {value, label, changeMessage}",
});

/**
 * A pass create or update (partial: only what is named changes). Properties are documented, not typed: the service
 * checks them and names every problem at once.
 */
export const PassRequestBody = Described(
  {
    headers: Type.Optional(Type.Unknown({ description: FieldValues.description })),
    fields: Type.Optional(Type.Unknown({ description: FieldValues.description })),
    beacons: Type.Optional(
      Type.Unknown({ description: "Apple passes only: at most 10 {uuid, major, minor, relevantText}" }),
    ),
    locations: Type.Optional(
      Type.Unknown({
        description: "At most 10 {latitude, longitude, altitude, relevantText, streetAddress1, city, region, country}",
      }),
    ),
    tags: Type.Optional(Type.Unknown({ description: "At most 15 tag names" })),
    externalId: Type.Optional(Type.Unknown({ description: "A string of 1–255 characters" })),
    publicUrl: Type.Optional(Type.Unknown({ description: "{type: single | multiple}" })),
    templates: Type.Optional(
      Type.Unknown({ description: "PUT /pass/id/{externalId}: the ids of the templates whose passes to update" }),
    ),
  },
  "See the Airship Wallet API reference: Passes",
);

/** The newer Apple layout a pass asks for (or, a flight's, qualifies for) but cannot have yet. */
export const WalletLayoutMissing = Described(
  {
    scheme: Type.String({ description: "semanticBoardingPass or posterEventTicket" }),
    keys: Type.Array(Type.String(), {
      description: "The semantic tags (or nfc, artwork_image) it lacks; until then the classic layout is emitted",
    }),
  },
  "Apple passes only, and only while something is missing",
);

export const PassSummary = Described({
  id: Type.Integer(),
  templateId: Type.Integer(),
  externalId: Type.Optional(Type.String()),
  serialNumber: Type.String(),
  url: Type.String(),
  status: Type.String({ description: "installed, uninstalled, been_installed or not_been_installed" }),
  platform: Type.Optional(Type.String()),
  installedAt: Type.Optional(Type.String()),
  uninstalledAt: Type.Optional(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const PassResponse = Described(
  {
    ...PassSummary.properties,
    tags: Type.Array(Type.String()),
    headers: AnyJson("The merged headers: the template's, with the pass's own values"),
    fields: AnyJson("The merged fields"),
    beacons: Type.Optional(Type.Array(Type.Unknown())),
    locations: Type.Array(Type.Unknown()),
    publicUrl: Type.Optional(
      Described({ path: Type.String(), type: Type.String(), used: Type.Boolean(), installs: Type.Integer() }),
    ),
    passFields: Type.Optional(AnyJson("Create responses: every header and field in one map, with its fieldType")),
    walletLayoutMissing: Type.Optional(WalletLayoutMissing),
  },
  "A pass",
);

/** A pass update's answer: its ticket, and the newer Apple layout it misses. */
export const PassUpdateResponse = Type.Object({
  ticketId: Type.Integer(),
  walletLayoutMissing: Type.Optional(WalletLayoutMissing),
});

export const InstallationsQuery = Type.Object({
  page: PaginationQuery.properties.page,
  pageSize: PaginationQuery.properties.pageSize,
});

export const InstallationsResponse = Described(
  {
    passId: Type.Integer(),
    count: Type.Integer({ description: "Installations in all" }),
    pagination: PaginationInfo,
    installations: Type.Array(
      Described(
        {
          platform: Type.Union([Type.Literal("ios"), Type.Literal("android")]),
          deviceLibraryIdentifier: Type.Optional(
            Type.String({ description: "Apple: the device Wallet registered (Google names no device)" }),
          ),
          installedAt: Type.String({ description: "When the device registered (Apple) or Google reported the save" }),
        },
        "One place the pass is installed",
      ),
    ),
  },
  "Where the pass is installed, oldest first",
);

export const HistoryQuery = Type.Object({
  limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$", description: `1 to ${MAX_HISTORY_PAGE}, default 50` })),
  before: Type.Optional(
    Type.String({ pattern: "^[0-9]{1,19}$", description: "The `next` of the previous page: the events before it" }),
  ),
});

export const HistoryResponse = Described(
  {
    passId: Type.Integer(),
    events: Type.Array(
      Type.Object({
        id: Type.String(),
        kind: Type.Union(PASS_EVENT_KINDS.map((k) => Type.Literal(k))),
        at: Type.String({ format: "date-time" }),
        version: Type.Optional(Type.Integer({ description: "The pass's version after it" })),
        platform: Type.Optional(Type.String({ description: "ios or android, for installs and removals" })),
        deviceLibraryIdentifier: Type.Optional(Type.String({ description: "The Apple device, for installs" })),
      }),
    ),
    next: Type.Optional(Type.String({ description: "Pass as `before` for the next page; absent on the last" })),
  },
  "The pass's events, newest first, as the pass-event log keeps them (PASS_EVENT_RETENTION_DAYS)",
);

export const PassListResponse = Type.Object({
  count: Type.Integer(),
  pagination: PaginationInfo,
  passes: Type.Array(PassSummary),
});

export const DynamicPassResponse = Type.Object({ id: Type.Integer(), serialNumber: Type.String(), url: Type.String() });

export const PassDeleteResponse = Type.Object({ status: Type.String(), passId: Type.Integer() });

export const ExternalIdUpdateResponse = Type.Union([
  Type.Object({ ticketId: Type.Integer() }),
  Type.Array(Type.Object({ ticketId: Type.Integer() })),
]);

export const PassLocationsResponse = Type.Array(
  Type.Object({ passLocationId: Type.Integer(), value: AnyJson("The stored location") }),
);

export const PassLocationDeleteResponse = Type.Object({ status: Type.String(), passLocationId: Type.Integer() });

export const PushResponse = Type.Object({
  status: Type.String(),
  passId: Type.Integer(),
  ticketId: Type.Integer(),
});

/** `{"locations": […]}`, or the legacy bare array (of location objects, or of JSON-encoded ones). */
export const LocationsBody = Type.Union([
  Described({ locations: Type.Unknown({ description: "The locations to add: {latitude, longitude, …}" }) }),
  Type.Array(Type.Unknown(), { maxItems: 1000 }),
]);

/** PUT …/beacons: an Apple pass's beacons (the whole set). */
export const BeaconsBody = Type.Object(
  {
    beacons: Type.Array(
      Type.Object(
        {
          uuid: Type.String({ description: "The beacon's proximity UUID" }),
          major: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          minor: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
          relevantText: Type.Optional(Type.String()),
        },
        { additionalProperties: true },
      ),
      { maxItems: 10 },
    ),
  },
  {
    additionalProperties: true,
    examples: [
      {
        beacons: [
          {
            uuid: "55502220-A123-A88A-F321-555A444B333C",
            relevantText: "You are near the store",
            major: 2,
            minor: 346,
          },
        ],
      },
    ],
  },
);

/** POST …/message: a message on a Google pass. */
export const MessageBody = Type.Object(
  {
    header: Type.String({ description: "At most 500 characters" }),
    body: Type.String({ description: "At most 2,000 characters" }),
    messageType: Type.Optional(Type.String({ description: '"text" (default) or "expirationNotification"' })),
    startTime: Type.Optional(Type.Object({ date: Type.String({ description: "ISO 8601 date-time" }) })),
    endTime: Type.Optional(Type.Object({ date: Type.String({ description: "ISO 8601 date-time" }) })),
  },
  {
    additionalProperties: true,
    examples: [
      {
        header: "Your pass expires soon",
        body: "Renew by the end of the month to keep your benefits.",
        messageType: "text",
        endTime: { date: "2027-01-31T23:59:59Z" },
      },
    ],
  },
);

export const MessageResponse = Type.Object(
  {
    id: Type.String(),
    header: Type.String(),
    body: Type.String(),
    messageType: Type.String(),
    startTime: Type.Optional(Type.String()),
    endTime: Type.Optional(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { additionalProperties: true },
);
