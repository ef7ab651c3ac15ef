// The OpenAPI shapes of /v1/flights and /v1/events. Bodies are checked by core/travel/service.ts, which names
// every problem; these schemas document every accepted key.
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam } from "../../core/ids.js";
import { Described } from "../schema-kit.js";

const FieldValue = Type.Unknown({
  description: 'A text, number or boolean, or {"value", "label"?, "changeMessage"?}; at most 2,048 characters',
});
const Fields = Type.Record(Type.String({ minLength: 1, maxLength: 128 }), FieldValue, {
  description: "Named values (at most 100); a pass's field of the same name takes each",
});
const PassGroups = Type.Array(Type.String({ minLength: 1, maxLength: 255 }), {
  maxItems: 100,
  description: "Pass groups (created when first named)",
});

export const flightExample = {
  fields: {
    flightNumber: "815",
    airlineCode: "WN",
    airlineName: "Southwest Airlines",
    departureAirport: { label: "San Francisco", value: "SFO" },
    departureGate: { label: "Gate #", value: "25" },
    boardingTime: "2018-07-30T08:35:00",
    departureTime: "2018-07-30T09:00:00",
    arrivalAirport: { label: "Portland", value: "PDX" },
    arrivalTime: "2018-07-30T11:00:00",
    flightStatus: "scheduled",
  },
  passGroups: ["sfo-pdx-20180730"],
};

export const eventExample = {
  fields: {
    eventName: { label: "Event", value: "Giants vs. Dodgers" },
    venueTitle: { label: "Venue", value: "Oracle Park" },
    doorsOpen: { label: "Doors Open", value: "2020-04-07T17:30:00" },
    startTime: { label: "Starts", value: "2020-04-07T19:05:00" },
  },
  passGroups: ["giants_2020-04-07"],
};

const Semantics = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
  description: "Apple's semantic tags for the passes (over those the fields fill); null clears them",
});

export const TravelBody = (noun: string, example: object, required: string) =>
  Described(
    { fields: Type.Optional(Fields), passGroups: Type.Optional(PassGroups), semantics: Type.Optional(Semantics) },
    `A ${noun}: its fields (required on create${required}) and its pass groups`,
    [example],
  );

export const TravelUpdateBody = (noun: string) =>
  Described(
    { fields: Type.Optional(Fields), passGroups: Type.Optional(PassGroups), semantics: Type.Optional(Semantics) },
    `Each named field replaced (the others kept); passGroups, when given, becomes the ${noun}'s set of pass groups. ` +
      `Changed fields reach every pass made for the ${noun}.`,
    [{ fields: { departureGate: { label: "Gate #", value: "31" } } }],
  );

export const PassGroupsBody = Type.Object(
  { passGroups: PassGroups },
  { additionalProperties: true, examples: [{ passGroups: ["sfo-pdx-20180730", "pdx-yvr-20180730"] }] },
);

export const PassGroupUpdateBody = Type.Object(
  { fields: Fields },
  { additionalProperties: true, examples: [{ fields: { departureTime: { value: "2020-04-07T10:00:00" } } }] },
);

export const TravelResponse = (idKey: string, externalKey: string, noun: string) =>
  Described(
    {
      [idKey]: Type.Integer(),
      [externalKey]: Type.Optional(Type.String()),
      projectId: Type.Integer(),
      fields: Type.Record(Type.String(), Type.Unknown()),
      passGroups: Type.Array(Type.String()),
      semantics: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      createdAt: Type.String(),
      updatedAt: Type.String(),
      ticketId: Type.Optional(
        Type.Integer({ description: `After an update that changed fields: the ticket updating the ${noun}'s passes` }),
      ),
    },
    `A ${noun}`,
  );

export const projectParams = {
  byId: Type.Object({ projectId: NumericIdParam }),
  byExternalId: Type.Object({ projectExternalId: ExternalIdParam }),
};

export const itemParams = (idKey: string, externalKey: string) => ({
  idById: Type.Object({ projectId: NumericIdParam, [idKey]: NumericIdParam }),
  idByExternal: Type.Object({ projectId: NumericIdParam, [externalKey]: ExternalIdParam }),
  externalById: Type.Object({ projectExternalId: ExternalIdParam, [idKey]: NumericIdParam }),
  externalByExternal: Type.Object({ projectExternalId: ExternalIdParam, [externalKey]: ExternalIdParam }),
});
