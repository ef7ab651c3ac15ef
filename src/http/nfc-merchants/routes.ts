// HTTP ⇄ NfcMerchantService for /v1/project/{projectId}/nfcMerchants and its id/{externalId} form.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { NfcMerchantService } from "../../core/nfc-merchants/service.js";
import { NfcMerchantCreateBody, NfcMerchantUpdateBody } from "../../core/nfc-merchants/types.js";
import { projectKeyOf } from "../../core/projects/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import {
  ByProjectExternalId,
  ByProjectId,
  MerchantByProjectExternalId,
  MerchantByProjectId,
  NfcMerchantDeleteResponse,
  NfcMerchantListResponse,
  NfcMerchantResponse,
} from "./schemas.js";

const tags = ["NFC merchants"];

export const nfcMerchantRoutes: FastifyPluginAsyncTypebox<{ merchants: NfcMerchantService }> = async (
  app,
  { merchants },
) => {
  for (const [base, params, merchantParams, form] of [
    ["/project/:projectId/nfcMerchants", ByProjectId, MerchantByProjectId, ""],
    ["/project/id/:externalId/nfcMerchants", ByProjectExternalId, MerchantByProjectExternalId, " (external ID)"],
  ] as const) {
    app.get(
      base,
      {
        config: access("wprj", "project"),
        schema: { tags, summary: `List NFC merchants${form}`, params, response: { 200: NfcMerchantListResponse } },
      },
      (request) => merchants.list(accountOf(request), projectKeyOf(request.params)),
    );
    app.post(
      base,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Add NFC merchant${form}`,
          description:
            "Without publicKeyPem the server generates a P-256 key pair and returns privateKeyPem in this response only.",
          params,
          body: NfcMerchantCreateBody,
          response: { 200: NfcMerchantResponse },
        },
      },
      (request) => merchants.create(accountOf(request), projectKeyOf(request.params), request.body),
    );
    app.get(
      `${base}/:merchantId`,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Get NFC merchant${form}`,
          params: merchantParams,
          response: { 200: NfcMerchantResponse },
        },
      },
      (request) => merchants.get(accountOf(request), projectKeyOf(request.params), request.params.merchantId),
    );
    app.put(
      `${base}/:merchantId`,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Update NFC merchant${form}`,
          params: merchantParams,
          body: NfcMerchantUpdateBody,
          response: { 200: NfcMerchantResponse },
        },
      },
      (request) =>
        merchants.update(accountOf(request), projectKeyOf(request.params), request.params.merchantId, request.body),
    );
    app.delete(
      `${base}/:merchantId`,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Delete NFC merchant${form}`,
          params: merchantParams,
          response: { 200: NfcMerchantDeleteResponse },
        },
      },
      (request) => merchants.delete(accountOf(request), projectKeyOf(request.params), request.params.merchantId),
    );
  }
};
