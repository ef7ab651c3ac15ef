// Request and response schemas of schedules.
import { Type } from "@sinclair/typebox";
import { NumericIdParam } from "../../core/ids.js";
import { Described } from "../schema-kit.js";

const example = {
  name: "New offer",
  schedule: { scheduled_time: "2026-12-24T18:00:00" },
  update: { audience: { tag: "TZ_ET" }, pass: { fields: { Offer: { value: "$20 off" } } } },
};

export const ScheduleBody = Described(
  {
    name: Type.Optional(Type.Unknown({ description: "≤ 255 characters" })),
    schedule: Type.Optional(
      Type.Unknown({ description: 'Required: {"scheduled_time": ISO 8601; UTC when no zone; in the future}' }),
    ),
    update: Type.Optional(
      Type.Unknown({
        description:
          'Required: {"audience": {"tag"} | {"segment"} | {"template"} | {"passIds"}, "pass"?: {"fields", "headers"}, ' +
          '"notification"?: {"value", "label"}}',
      }),
    ),
  },
  "A pass update (and/or notification) to run once at a set time",
  [example],
);

export const ScheduleParams = Type.Object({ projectId: NumericIdParam, scheduleId: Type.String({ maxLength: 64 }) });
export const ScheduleProjectParams = Type.Object({ projectId: NumericIdParam });

export const ScheduleResponse = Type.Object({
  id: Type.String({ format: "uuid" }),
  scheduleId: Type.String({ format: "uuid" }),
  url: Type.String({ description: "This schedule's URL (its id is the last segment)" }),
  name: Type.Optional(Type.String()),
  schedule: Type.Object({ scheduled_time: Type.String({ description: "UTC, without zone" }) }),
  update: Type.Unknown({ description: "The update as stored" }),
  state: Type.Union([Type.Literal("pending"), Type.Literal("done"), Type.Literal("failed")]),
  ticketId: Type.Optional(Type.Integer({ description: "The update's ticket, once started" })),
  ranAt: Type.Optional(Type.String({ format: "date-time" })),
  lateBySeconds: Type.Optional(Type.Integer({ description: "How long after scheduled_time it started" })),
  error: Type.Optional(Type.String({ description: "Why a failed schedule could not start" })),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

export const ScheduleList = Type.Object({
  ok: Type.Boolean(),
  count: Type.Integer({ description: "Schedules in this page" }),
  total_count: Type.Integer({ description: "Pending schedules of the project" }),
  schedules: Type.Array(ScheduleResponse),
  next_page: Type.Optional(Type.String({ description: "The next page's URL, while more remain" })),
});

export const ScheduleListQuery = Type.Object({
  start: Type.Optional(Type.String({ pattern: "^[0-9]{1,9}$", description: "How many to skip (default 0)" })),
  limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,9}$", description: "1 to 100 (default 100)" })),
});
