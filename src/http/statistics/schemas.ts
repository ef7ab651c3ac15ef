// Response schemas of statistics.
import { Type } from "@sinclair/typebox";

const Counts = { total: Type.Integer(), installed: Type.Integer(), uninstalled: Type.Integer() };

export const StatsResponse = Type.Object(
  {
    ...Counts,
    templates: Type.Array(Type.Object({ id: Type.Integer(), ...Counts })),
  },
  {
    examples: [
      { total: 1, installed: 1, uninstalled: 0, templates: [{ id: 5350, total: 1, installed: 1, uninstalled: 0 }] },
    ],
  },
);

const Activity = { created: Type.Integer(), installed: Type.Integer(), uninstalled: Type.Integer() };
const ByPlatform = { ...Activity, ios: Type.Object(Activity), android: Type.Object(Activity) };

export const ActivityResponse = Type.Object({
  projectId: Type.Optional(Type.Integer()),
  templateId: Type.Optional(Type.Integer()),
  start: Type.String({ format: "date" }),
  end: Type.String({ format: "date" }),
  activity: Type.Array(Type.Object({ date: Type.String({ format: "date" }), ...ByPlatform }), {
    description: "The days with activity, oldest first (UTC days)",
  }),
  totals: Type.Object(ByPlatform),
});

export const ActivityQuery = Type.Object({
  start: Type.Optional(Type.String({ maxLength: 10, description: "YYYY-MM-DD (default: 29 days before end)" })),
  end: Type.Optional(Type.String({ maxLength: 10, description: "YYYY-MM-DD (default: today, UTC)" })),
});
