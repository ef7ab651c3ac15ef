// Request and response schemas of the Airship projects API.
import { type Static, Type } from "@sinclair/typebox";
import { PaginationInfo, PaginationQuery } from "../../../http/pagination.js";
import { ExternalIdParam, NumericIdParam } from "../ids.js";

export const PROJECT_TYPES = [
  "loyalty",
  "coupon",
  "giftCard",
  "memberCard",
  "eventTicket",
  "boardingPass",
  "generic",
] as const;

export const PROJECT_ORDERS = ["id", "name", "createdAt", "updatedAt"] as const;

const Settings = Type.Record(Type.String({ maxLength: 255 }), Type.Unknown(), {
  description: "Free-form project settings (barcode defaults and the like): at most 50 keys, 16 KiB, 4 levels",
  maxProperties: 50,
});

export const ProjectCreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 255 }),
    projectType: Type.Union(
      PROJECT_TYPES.map((t) => Type.Literal(t)),
      { description: "The kind of passes the project holds" },
    ),
    description: Type.Optional(Type.String({ maxLength: 4000 })),
    settings: Type.Optional(Settings),
  },
  { additionalProperties: false },
);
export type ProjectCreateBody = Static<typeof ProjectCreateBody>;

export const ProjectUpdateBody = Type.Partial(ProjectCreateBody, { additionalProperties: false });
export type ProjectUpdateBody = Static<typeof ProjectUpdateBody>;

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
