// Our extension: a project's Apple signing identity — GET (which certificate signs its passes), PUT (import a
// .p12 or PEM pass type certificate with its key), DELETE (back to the server default).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { AppleIdentities } from "../../apple/identities.js";
import { projectIdOf, projectPaths } from "../../core/ids.js";
import type { ProjectRepository } from "../../core/projects/repository.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { notFound } from "../../errors.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { NullableInteger } from "../schema-kit.js";

interface Deps {
  identities: AppleIdentities;
  projects: Pick<ProjectRepository, "findId">;
}

/** What a project's signing certificate is (never its key). */
const CertificateSummary = Type.Object({
  projectId: NullableInteger,
  source: Type.String({ description: "project, account (the account's default certificate), default or development" }),
  passTypeIdentifier: Type.String(),
  teamIdentifier: Type.String(),
  organizationName: Type.String(),
  expiresAt: Type.String(),
  subject: Type.String(),
});
const RemovedResponse = Type.Object({ status: Type.String(), projectId: Type.Integer() });

const ImportBody = Type.Object({
  certificate: Type.String({
    minLength: 1,
    maxLength: 200_000,
    description: "PEM text (certificate, optionally with its key), or base64 of a .p12 (or DER certificate)",
  }),
  privateKey: Type.Optional(
    Type.String({ maxLength: 100_000, description: "PEM private key, when not in certificate" }),
  ),
  password: Type.Optional(Type.String({ maxLength: 1000, description: "The .p12 or encrypted key's password" })),
});

export const appleCertificateRoutes: FastifyPluginAsyncTypebox<Deps> = async (app, { identities, projects }) => {
  for (const { path, params } of projectPaths("apple/certificate")) {
    app.get(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags: ["Apple certificates"],
          summary: "The certificate that signs the project's Apple passes",
          params,
          response: { 200: CertificateSummary },
        },
      },
      async (request) => identities.summary(await projectIdOf(projects, accountOf(request), request.params)),
    );
    app.put(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags: ["Apple certificates"],
          summary: "Import the project's Pass Type ID certificate and key (validated, stored encrypted)",
          params,
          body: ImportBody,
          response: { 200: CertificateSummary },
        },
      },
      async (request) => {
        const projectId = await projectIdOf(projects, accountOf(request), request.params);
        const { certificate, privateKey, password } = request.body;
        const bytes = certificate.includes("-----BEGIN")
          ? Buffer.from(certificate, "utf8")
          : Buffer.from(certificate.replace(/\s/g, ""), "base64");
        if (bytes.length === 0) throw new InvalidInput(["certificate must be PEM text or base64"]);
        return identities.import(projectId, {
          certificate: bytes,
          ...(privateKey === undefined ? {} : { privateKey: Buffer.from(privateKey, "utf8") }),
          ...(password === undefined ? {} : { password }),
        });
      },
    );
    app.delete(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags: ["Apple certificates"],
          summary: "Remove the project's own certificate",
          params,
          response: { 200: RemovedResponse },
        },
      },
      async (request) => {
        const projectId = await projectIdOf(projects, accountOf(request), request.params);
        if (!(await identities.remove(projectId))) throw notFound("Project certificate");
        return { status: "deleted", projectId };
      },
    );
  }
};
