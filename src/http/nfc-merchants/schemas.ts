// Request and response schemas of a project's NFC merchants.
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam } from "../../core/ids.js";

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
