// HTTP ⇄ CertificateService: Airship's /v1/certificates (an account's Apple certificates), scope wprj, over the whole
// account (a project-limited key is refused).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { CertificateService } from "../../core/certificates/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { NoBody } from "../schema-kit.js";

const tags = ["Certificates"];

const CertificateBody = Type.Object(
  {
    vendor: Type.Optional(Type.Literal("Apple")),
    name: Type.Optional(Type.String({ maxLength: 255, description: "A display name you choose" })),
    certificate: Type.Optional(
      Type.String({ maxLength: 200_000, description: "Base64 of the .p12 (newlines allowed), or PEM text" }),
    ),
    password: Type.Optional(Type.String({ maxLength: 1000, description: "The .p12's password" })),
    comment: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
    enabled: Type.Optional(Type.Boolean()),
    default: Type.Optional(
      Type.Boolean({ description: "Signs the passes of the account's projects that have no certificate of their own" }),
    ),
  },
  {
    additionalProperties: true,
    examples: [
      {
        vendor: "Apple",
        name: "Loyalty pass type",
        certificate: "MIIMOQIBAzCCC/8GCSqGSIb3DQEHAaCCC/AEggvsMIIL6DCCBp8GCSqGSIb3DQEH…",
        password: "p12 password",
        comment: "Renew before March",
        enabled: true,
        default: true,
      },
    ],
  },
);

const CertificateResponse = Type.Object(
  {
    id: Type.String({ description: "The certificate's id (a UUID)" }),
    vendor: Type.Literal("Apple"),
    name: Type.String(),
    comment: Type.Optional(Type.String()),
    enabled: Type.Boolean(),
    default: Type.Boolean(),
    baseName: Type.String({ description: "The pass type identifier" }),
    teamIdentifier: Type.String(),
    organizationName: Type.String(),
    expirationDate: Type.String(),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { additionalProperties: true },
);

const ById = Type.Object({ certificateId: Type.String({ minLength: 1, maxLength: 64 }) });

export const certificateRoutes: FastifyPluginAsyncTypebox<{ certificates: CertificateService }> = async (
  app,
  { certificates },
) => {
  app.post(
    "/certificates",
    {
      config: access("wprj", "account"),
      schema: {
        tags,
        summary: "Add an Apple certificate (or renew the one of the same pass type and team)",
        description:
          "201 with the new certificate; 200 when it renewed the account's certificate of the same pass type and " +
          "team (same id, new key and expiration). The certificate is checked as a project's import is.",
        body: CertificateBody,
        response: { 200: CertificateResponse, 201: CertificateResponse },
      },
    },
    async (request, reply) => {
      const { renewed, certificate } = await certificates.create(accountOf(request), request.body);
      reply.code(renewed ? 200 : 201);
      return certificate;
    },
  );
  app.get(
    "/certificates",
    {
      config: access("wprj", "account"),
      schema: {
        tags,
        summary: "List the account's certificates",
        response: { 200: Type.Object({ certificates: Type.Array(CertificateResponse) }) },
      },
    },
    (request) => certificates.list(accountOf(request)),
  );
  app.get(
    "/certificates/:certificateId",
    {
      config: access("wprj", "account"),
      schema: { tags, summary: "Get a certificate", params: ById, response: { 200: CertificateResponse } },
    },
    (request) => certificates.get(accountOf(request), request.params.certificateId),
  );
  app.put(
    "/certificates/:certificateId",
    {
      config: access("wprj", "account"),
      schema: {
        tags,
        summary: "Update a certificate: its settings, or a renewed certificate of the same pass type and team",
        params: ById,
        body: CertificateBody,
        response: { 200: CertificateResponse },
      },
    },
    (request) => certificates.update(accountOf(request), request.params.certificateId, request.body),
  );
  app.delete(
    "/certificates/:certificateId",
    {
      config: access("wprj", "account"),
      schema: { tags, summary: "Delete a certificate", params: ById, response: { 204: NoBody("Deleted") } },
    },
    async (request, reply) => {
      await certificates.delete(accountOf(request), request.params.certificateId);
      reply.code(204);
    },
  );
};
