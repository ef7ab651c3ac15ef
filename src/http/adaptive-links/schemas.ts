// The request and response schemas of the adaptive link routes (the OpenAPI document is built from them).
import { Type } from "@sinclair/typebox";
import { PassListResponse, PassSummary } from "../passes/schemas.js";
import { Described, EmptyObject, PkpassFile, Redirect } from "../schema-kit.js";

const Loose = (description: string) => Type.Optional(Type.Unknown({ description }));

/** A link create or (partial) update; the service checks every value and names each problem. */
export const LinkBody = Described(
  {
    iosTemplateId: Loose("The Apple template's id (or iosTemplateExternalId, or iosPassLinkId)"),
    iosTemplateExternalId: Loose("The Apple template's external id"),
    iosPassLinkId: Loose("An earlier link's iOS pass-link id: its template and payload are reused"),
    androidTemplateId: Loose("The Google template's id (or androidTemplateExternalId, or androidPassLinkId)"),
    androidTemplateExternalId: Loose("The Google template's external id"),
    androidPassLinkId: Loose("An earlier link's Android pass-link id"),
    payload: Loose("{fields, headers, beacons}: what every pass starts from"),
    locations: Loose("Up to 1,000 locations; each pass gets its nearest 10"),
    landingPageUrl: Loose("An http(s) URL for browsers"),
    availablePasses: Loose("How many passes the link hands out (default 1,000,000)"),
    isPersonalized: Loose("true: every request makes a new pass"),
    expirationDate: Loose("ISO 8601 date; default 180 days after creation; null: never"),
    ttlInDays: Loose("Days"),
    parameterEncoding: Loose("base64: query parameter values are base64"),
    locationRadius: Loose("Miles"),
    maxResultLocations: Loose("At most this many nearest locations per pass"),
  },
  "See the Airship Wallet API reference: Adaptive links",
);

/** A passenger or attendee: documented, checked by the service one by one (a bad one gets its own status). */
const Member = Type.Unknown({
  description:
    '{"adaptiveLinkExternalId"?: the link\'s external id (the same id answers the same link), "fields"?: {name: value}}',
});

/** A flight or event of a multiple-links request: every key documented; the service checks them and names each problem. */
const Group = (kind: "flight" | "event", members: "passengers" | "attendees") =>
  Described({
    [`${kind}Id`]: Loose(`An existing ${kind}'s id`),
    [`${kind}ExternalId`]: Loose(`An existing ${kind}'s external id, or the external id a new one gets`),
    fields: Loose(`The ${kind}'s fields (creating or changing it: a change reaches every pass made for it)`),
    passGroups: Loose(`Pass groups the ${kind} joins`),
    [members]: Type.Array(Member, { description: `One link per entry, in this order` }),
  });

export const MultipleLinksBody = Described(
  {
    iosTemplateId: Loose("The Apple template (or iosTemplateExternalId)"),
    iosTemplateExternalId: Loose("The Apple template's external id"),
    androidTemplateId: Loose("The Google template (or androidTemplateExternalId)"),
    androidTemplateExternalId: Loose("The Google template's external id"),
    availablePasses: Loose("How many passes each link hands out (default 1,000,000)"),
    isPersonalized: Loose("true: every request makes a new pass"),
    expirationDate: Loose("ISO 8601 date; default 180 days after creation; null: never"),
    landingPageUrl: Loose("An http(s) URL for browsers"),
    payload: Type.Object(
      {
        flights: Type.Optional(Type.Array(Group("flight", "passengers"), { description: "Boarding passes" })),
        events: Type.Optional(Type.Array(Group("event", "attendees"), { description: "Event tickets" })),
      },
      { additionalProperties: true, description: "flights (with passengers) or events (with attendees)" },
    ),
  },
  "One link per passenger or attendee",
  [
    {
      iosTemplateExternalId: "ios123ExtId",
      androidTemplateExternalId: "android123ExtId",
      payload: {
        flights: [
          {
            flightExternalId: "flight123ExtId",
            fields: {
              flightNumber: "815",
              airlineCode: "WN",
              departureAirport: { label: "San Francisco", value: "SFO" },
            },
            passengers: [
              {
                adaptiveLinkExternalId: "pax1",
                fields: { passengerName: { value: "SMITH/JOE" }, seatNumber: { value: "13A" } },
              },
            ],
          },
        ],
      },
    },
  ],
);

export const LinkResponse = Described(
  {
    adaptiveLinkId: Type.String(),
    adaptiveLinkExternalId: Type.Optional(Type.String()),
    url: Type.String(),
    iosUrl: Type.String(),
    androidUrl: Type.String(),
    landingPageUrl: Type.Optional(Type.String()),
    isPersonalized: Type.Boolean(),
    isExpired: Type.Boolean(),
    expirationDate: Type.Optional(Type.String()),
    expiry: Type.Optional(Type.String({ description: "YYYY-MM-DD" })),
    availablePasses: Type.Integer(),
    isAvailablePassesUnlimited: Type.Boolean(),
    doesAllowUrlParameters: Type.Boolean(),
    iosTemplateId: Type.Optional(Type.Integer()),
    androidTemplateId: Type.Optional(Type.Integer()),
    projectId: Type.Integer(),
    iosPassLinkId: Type.String(),
    androidPassLinkId: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  "An adaptive link",
);

export const LinkListResponse = Type.Object({
  links: Type.Array(LinkResponse),
  nextPageToken: Type.Optional(Type.String()),
});

/** A passenger's (attendee's) entry whose link could not be made: its HTTP status and error. */
const FailedLink = Type.Object(
  {
    status: Type.Integer({ description: "The HTTP status of this passenger's link: 400, 404, 409…" }),
    adaptiveLinkExternalId: Type.Optional(Type.String()),
    error: Type.String(),
    code: Type.String(),
    details: Type.Optional(Type.Unknown()),
  },
  { description: "A passenger or attendee whose link could not be made (the others are made)" },
);

export const MultipleLinksResponse = Type.Object({
  links: Type.Array(Type.Union([LinkResponse, FailedLink]), {
    description: "One entry per passenger (attendee), in the request's order, each with its own status",
  }),
});

export const LinkDeleteResponse = EmptyObject;

export const LinkPassesResponse = PassListResponse;

export const LinkPassesByExternalIdResponse = Type.Object({ passes: Type.Array(PassSummary) });

export const LinkPassesUpdateResponse = Type.Object({
  tickets: Type.Array(Type.Object({ id: Type.Integer() }), { description: "One ticket per template" }),
});

/** What a phone or browser gets from a link. */
export const AdaptivePassResponses = {
  200: {
    description: "iPhone, iPad, Mac Safari: the signed .pkpass; other browsers: the landing page",
    content: {
      ...PkpassFile.content,
      "application/vnd.apple.pkpasses": {
        schema: {
          type: "string",
          format: "binary",
          description: "Several .pkpass files in one zip (multi-pass links)",
        },
      },
      "text/html": { schema: { type: "string", description: "The landing page" } },
    },
  },
  302: Redirect("the Google save link (Android) or the link's landingPageUrl (browsers)"),
  410: {
    description: "The link expired or has no passes left (JSON error; browsers get the landing page with a notice)",
    content: {
      "application/json": {
        schema: Type.Object({
          error: Type.String(),
          code: Type.String(),
          details: Type.Optional(Type.Unknown({ description: "Multi-pass links: which links expired" })),
          requestId: Type.Optional(Type.String()),
        }),
      },
      "text/html": { schema: { type: "string" } },
    },
  },
};
