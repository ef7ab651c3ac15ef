// Our extension: a project's Google Wallet issuer — GET (which issuer its passes use), PUT (issuer id and
// service-account key JSON, stored encrypted), DELETE (back to the server default).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { projectIdOf, projectPaths } from "../../core/ids.js";
import type { ProjectRepository } from "../../core/projects/repository.js";
import { notFound } from "../../errors.js";
import type { GoogleIssuers } from "../../google/credentials.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { NullableInteger } from "../schema-kit.js";

interface Deps {
  issuers: GoogleIssuers;
  projects: Pick<ProjectRepository, "findId">;
}

/** Which issuer signs and syncs a project's Google passes (never its key). */
const IssuerSummary = Type.Object({
  projectId: NullableInteger,
  source: Type.String({ description: "project, default or development" }),
  issuerId: Type.String(),
  clientEmail: Type.String(),
});

export const googleCredentialRoutes: FastifyPluginAsyncTypebox<Deps> = async (app, { issuers, projects }) => {
  for (const { path, params } of projectPaths("google/credentials")) {
    app.get(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags: ["Google credentials"],
          summary: "The Google Wallet issuer of the project's passes",
          params,
          response: { 200: IssuerSummary },
        },
      },
      async (request) => issuers.summary(await projectIdOf(projects, accountOf(request), request.params)),
    );
    app.put(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags: ["Google credentials"],
          summary: "Set the project's issuer id and service-account key (validated, stored encrypted)",
          params,
          body: Type.Object({
            issuerId: Type.String({ minLength: 1, maxLength: 30 }),
            serviceAccount: Type.Union([
              Type.Object({}, { additionalProperties: true }),
              Type.String({ maxLength: 20_000 }),
            ]),
          }),
          response: { 200: IssuerSummary },
        },
      },
      async (request) =>
        issuers.import(
          await projectIdOf(projects, accountOf(request), request.params),
          request.body.issuerId,
          request.body.serviceAccount,
        ),
    );
    app.delete(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags: ["Google credentials"],
          summary: "Remove the project's own issuer",
          params,
          response: { 200: Type.Object({ status: Type.String(), projectId: Type.Integer() }) },
        },
      },
      async (request) => {
        const projectId = await projectIdOf(projects, accountOf(request), request.params);
        if (!(await issuers.remove(projectId))) throw notFound("Project Google credentials");
        return { status: "deleted", projectId };
      },
    );
  }
};
