// HTTP ⇄ ProjectService for /v1/project: every operation in both its {id} and id/{externalId} forms.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type ProjectService, projectKeyOf } from "../../core/projects/service.js";
import { ProjectCreateBody, ProjectUpdateBody } from "../../core/projects/types.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import {
  ProjectDeleteResponse,
  ProjectExternalIdParams,
  ProjectIdParams,
  ProjectListQuery,
  ProjectListResponse,
  ProjectResponse,
} from "./schemas.js";

const tags = ["Projects"];

export const projectRoutes: FastifyPluginAsyncTypebox<{ projects: ProjectService }> = async (app, { projects }) => {
  app.get(
    "/project",
    {
      config: access("wprj", "account"),
      schema: { tags, summary: "List projects", querystring: ProjectListQuery, response: { 200: ProjectListResponse } },
    },
    (request) => projects.list(accountOf(request), request.query),
  );

  app.post(
    "/project",
    {
      config: access("wprj", "new-project"),
      schema: { tags, summary: "Create project", body: ProjectCreateBody, response: { 200: ProjectResponse } },
    },
    (request) => projects.create(accountOf(request), request.body),
  );

  app.post(
    "/project/id/:externalId",
    {
      config: access("wprj", "new-project"),
      schema: {
        tags,
        summary: "Create project with external ID",
        params: ProjectExternalIdParams,
        body: ProjectCreateBody,
        response: { 200: ProjectResponse },
      },
    },
    (request) => projects.create(accountOf(request), request.body, request.params.externalId),
  );

  for (const [path, params, form] of [
    ["/project/:projectId", ProjectIdParams, ""],
    ["/project/id/:externalId", ProjectExternalIdParams, " (external ID)"],
  ] as const) {
    app.get(
      path,
      {
        config: access("wprj", "project"),
        schema: { tags, summary: `Get project${form}`, params, response: { 200: ProjectResponse } },
      },
      (request) => projects.get(accountOf(request), projectKeyOf(request.params)),
    );
    app.put(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Update project${form}`,
          description: "Partial update: keys you do not send keep their values.",
          params,
          body: ProjectUpdateBody,
          response: { 200: ProjectResponse },
        },
      },
      (request) => projects.update(accountOf(request), projectKeyOf(request.params), request.body),
    );
    app.delete(
      path,
      {
        config: access("wprj", "project"),
        schema: {
          tags,
          summary: `Delete project${form}`,
          description: "Deletes the project with its templates, passes and NFC merchants.",
          params,
          response: { 200: ProjectDeleteResponse },
        },
      },
      (request) => projects.delete(accountOf(request), projectKeyOf(request.params)),
    );
  }

  for (const [path, params, form] of [
    ["/project/duplicate/:projectId", ProjectIdParams, ""],
    ["/project/duplicate/id/:externalId", ProjectExternalIdParams, " (external ID)"],
  ] as const) {
    app.post(
      path,
      {
        config: access("wprj", "new-project"),
        schema: {
          tags,
          summary: `Duplicate project${form}`,
          description: 'Copies the project and its templates; the copy is named "Copy of <name>".',
          params,
          response: { 200: ProjectResponse },
        },
      },
      (request) => projects.duplicate(accountOf(request), projectKeyOf(request.params)),
    );
  }
};
