// What a project is made of, as the projects service takes it (the HTTP schemas in http/projects/ reuse these).
import { type Static, Type } from "@sinclair/typebox";

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
