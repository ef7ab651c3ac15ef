// What an NFC merchant is made of, as the service takes it (the HTTP schemas in http/nfc-merchants/ reuse these).
import { type Static, Type } from "@sinclair/typebox";

export const NFC_VENDORS = ["GOOGLE", "APPLE", "ANY"] as const;

const Email = Type.String({ maxLength: 320, pattern: "^[^@\\s]+@[^@\\s]+$" });
const Text = Type.String({ maxLength: 255 });

export const NfcMerchantCreateBody = Type.Object(
  {
    vendor: Type.Optional(Type.Union(NFC_VENDORS.map((v) => Type.Literal(v)))),
    merchantName: Type.Optional(Text),
    merchantEmail: Type.Optional(Email),
    terminalProvider: Type.Optional(Text),
    publicKeyPem: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    keyVersion: Type.Optional(Type.Integer({ minimum: 1, maximum: 4 })),
    // Set by the server from whether a key was given; accepted and ignored for round-tripping clients.
    keySource: Type.Optional(Type.Union([Type.Literal("GENERATED"), Type.Literal("IMPORTED")])),
    smartTapIssuerId: Type.Optional(Text),
    smartTapCollectorId: Type.Optional(Text),
  },
  { additionalProperties: false },
);
export type NfcMerchantCreateBody = Static<typeof NfcMerchantCreateBody>;

export const NfcMerchantUpdateBody = Type.Object(
  {
    merchantName: Type.Optional(Text),
    merchantEmail: Type.Optional(Email),
    terminalProvider: Type.Optional(Text),
    smartTapIssuerId: Type.Optional(Text),
    smartTapCollectorId: Type.Optional(Text),
    publicKeyPem: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: false },
);
export type NfcMerchantUpdateBody = Static<typeof NfcMerchantUpdateBody>;
