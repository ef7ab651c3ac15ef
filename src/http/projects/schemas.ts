// Request and response schemas of the Airship projects API.
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam } from "../../core/ids.js";
import { PaginationInfo, PaginationQuery } from "../../core/pagination.js";

export const TemplateHeaderSchema = Type.Object({
  id: Type.Integer(),
  externalId: Type.Optional(Type.String()),
  name: Type.String(),
  description: Type.String(),
  vendor: Type.String(),
  vendorId: Type.Integer(),
  type: Type.String(),
  projectId: Type.Integer(),
  projectName: Type.String(),
  projectType: Type.String(),
  deleted: Type.String(),
  disabled: Type.String(),
  expiryDuration: Type.Optional(Type.Integer()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ProjectResponse = Type.Object({
  id: Type.Integer(),
  externalId: Type.Optional(Type.String()),
  contextId: Type.String(),
  name: Type.String(),
  description: Type.String(),
  projectType: Type.String(),
  settings: Type.Record(Type.String(), Type.Unknown()),
  appleCertificateId: Type.Optional(
    Type.String({ description: "The project's own Apple certificate; absent when the server's default signs" }),
  ),
  templates: Type.Array(TemplateHeaderSchema),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ProjectListResponse = Type.Object({
  count: Type.Integer(),
  pagination: PaginationInfo,
  projects: Type.Array(ProjectResponse),
});

export const ProjectDeleteResponse = Type.Object({
  status: Type.Literal("deleted"),
  projectId: Type.Integer(),
  externalId: Type.Optional(Type.String()),
});

export const ProjectListQuery = PaginationQuery;
export const ProjectIdParams = Type.Object({ projectId: NumericIdParam });
export const ProjectExternalIdParams = Type.Object({ externalId: ExternalIdParam });
