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

export const MultipleLinksBody = Described(
  {
    iosTemplateId: Loose("The Apple template (or its external id form)"),
    androidTemplateId: Loose("The Google template (or its external id form)"),
    payload: Loose(
      "{flights: [{flightId | flightExternalId, fields, passengers: [...]}]} or {events: [{eventId | eventExternalId, fields, attendees: [...]}]}",
    ),
  },
  "One link per passenger or attendee",
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
