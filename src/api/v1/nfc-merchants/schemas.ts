// Request and response schemas of a project's NFC merchants.
import { type Static, Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam } from "../ids.js";

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

export const NfcMerchantResponse = Type.Object({
  merchantId: Type.String(),
  projectId: Type.Integer(),
  vendor: Type.String(),
  merchantName: Type.Optional(Type.String()),
  merchantEmail: Type.Optional(Type.String()),
  terminalProvider: Type.Optional(Type.String()),
  publicKeyPem: Type.String(),
  privateKeyPem: Type.Optional(Type.String()),
  keyVersion: Type.Integer(),
  keySource: Type.String(),
  smartTapIssuerId: Type.Optional(Type.String()),
  smartTapCollectorId: Type.Optional(Type.String()),
  updatedAt: Type.String(),
});

export const NfcMerchantListResponse = Type.Object({ merchants: Type.Array(NfcMerchantResponse) });
export const NfcMerchantDeleteResponse = Type.Object({ merchantId: Type.String(), updatedAt: Type.String() });

export const ByProjectId = Type.Object({ projectId: NumericIdParam });
export const ByProjectExternalId = Type.Object({ externalId: ExternalIdParam });
export const MerchantByProjectId = Type.Object({
  projectId: NumericIdParam,
  merchantId: Type.String({ maxLength: 64 }),
});
export const MerchantByProjectExternalId = Type.Object({
  externalId: ExternalIdParam,
  merchantId: Type.String({ maxLength: 64 }),
});
