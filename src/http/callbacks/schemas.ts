// Request and response schemas of project callbacks.
import { Type } from "@sinclair/typebox";
import { Described } from "../schema-kit.js";

export const CallbackBody = Described(
  {
    baseUrl: Type.Optional(
      Type.Unknown({ description: "Required: an https URL; events are POSTed to {baseUrl}/v1/pass/…" }),
    ),
    headers: Type.Optional(
      Type.Unknown({
        description: "Header name → value sent with every delivery (≤ 20, ≤ 4 KB each; not Host, Content-Length)",
      }),
    ),
  },
  "Where the project's install, uninstall and personalize events are POSTed",
  [{ baseUrl: "https://crm.example/hooks", headers: { Authorization: "Bearer crm-token-1234" } }],
);

export const CallbackResponse = Type.Object({
  projectId: Type.Integer(),
  baseUrl: Type.String(),
  headers: Type.Record(Type.String(), Type.String(), {
    description: "In full only in the answer that set them; masked (****1234) afterwards",
  }),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
});

export const CallbackDeleteResponse = Type.Object({ projectId: Type.Integer(), deleted: Type.Boolean() });
