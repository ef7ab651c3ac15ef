// Request and response schemas of segments.
import { Type } from "@sinclair/typebox";
import { NumericIdParam } from "../../core/ids.js";
import { PaginationInfo } from "../../core/pagination.js";
import { Described } from "../schema-kit.js";

const example = { and: [{ tag: "TZ_PST" }, { not: { tag: "TZ_ET" } }] };

export const SegmentBody = Described(
  {
    criteria: Type.Optional(
      Type.Unknown({
        description:
          'Required when creating: {"tag"}, {"and": […]}, {"or": […]}, {"not": …}, nestable (depth ≤ 10, ≤ 100 tags)',
      }),
    ),
    display_name: Type.Optional(Type.Unknown({ description: "The segment's name (≤ 255 characters)" })),
  },
  "Boolean tag criteria selecting passes of the project",
  [{ criteria: example, display_name: "west coast" }],
);

export const SegmentParams = Type.Object({ projectId: NumericIdParam, segmentId: Type.String({ maxLength: 64 }) });
export const SegmentProjectParams = Type.Object({ projectId: NumericIdParam });

export const SegmentOperation = Type.Object({
  ok: Type.Boolean(),
  segmentId: Type.String({ format: "uuid" }),
  operationId: Type.String({ format: "uuid" }),
});

const Segment = Type.Object({
  segmentId: Type.String({ format: "uuid" }),
  id: Type.String({ format: "uuid" }),
  projectId: Type.Integer(),
  display_name: Type.Union([Type.String(), Type.Null()]),
  criteria: Type.Unknown({ description: "The criteria as stored", examples: [example] }),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
  passCount: Type.Optional(Type.Integer({ description: "With ?count=true: how many passes it selects now" })),
});

export const SegmentResponse = Segment;
export const SegmentList = Type.Object({
  count: Type.Integer(),
  pagination: PaginationInfo,
  segments: Type.Array(Segment),
});
