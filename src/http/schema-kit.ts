// Building blocks of the routes' OpenAPI schemas: documented objects that still serialize every key a service
// returns (response schemas describe the fields; the pick-lists that keep secrets out are the services' response
// builders and the closed schemas), and the non-JSON answers (pass files, redirects, empty bodies).
import { type TObject, type TProperties, Type } from "@sinclair/typebox";

/** An object whose listed fields are documented; fields the service adds beyond them still serialize. */
export const Described = <P extends TProperties>(
  properties: P,
  description?: string,
  examples?: unknown[],
): TObject<P> =>
  Type.Object(properties, {
    additionalProperties: true,
    ...(description ? { description } : {}),
    ...(examples ? { examples } : {}),
  });

/** A JSON value of any shape (a header or field map, a pass.json). */
export const AnyJson = (description: string) => Type.Unknown({ description });

export const NullableInteger = Type.Union([Type.Integer(), Type.Null()]);

/** A signed .pkpass in the body. */
export const PkpassFile = {
  description: "The signed .pkpass bundle",
  content: { "application/vnd.apple.pkpass": { schema: { type: "string", format: "binary" } } },
};

/** A redirect (Location header), no body. */
export const Redirect = (to: string) => ({ description: `A redirect to ${to}`, type: "null" });

/** A status with no body. */
export const NoBody = (description: string) => ({ description, type: "null" });

/** The answer of a pass update: its ticket. */
export const TicketIdResponse = Type.Object({ ticketId: Type.Integer() });

export const EmptyObject = Type.Object({}, { additionalProperties: false });

/** The values of a group pass update (tag, segment, schedule): each named field or header, as on a pass. */
export const PassValuesBody = Type.Object(
  {
    fields: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    headers: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: true, examples: [{ fields: { Offer: { value: "$20 off" } } }] },
);
