// Request and response schemas of Badge webhook endpoints.
import { Type } from "@sinclair/typebox";
import { WEBHOOK_TOPICS } from "../../deliveries/webhook-event-store.js";
import { Described } from "../schema-kit.js";

const topics = WEBHOOK_TOPICS.join(", ");

export const WebhookEndpointBody = Described(
  {
    url: Type.Optional(Type.Unknown({ description: "An https URL (required when creating); ≤ 2,048 characters" })),
    enabledTopics: Type.Optional(
      Type.Unknown({ description: `The topics POSTed to it, of: ${topics} (default: all)` }),
    ),
    enabled: Type.Optional(Type.Unknown({ description: "Whether events are sent (default true)" })),
  },
  "A webhook endpoint: where pass events are POSTed, signed per Standard Webhooks",
  [{ url: "https://crm.example/badge", enabledTopics: ["pass.activated", "pass.deactivated"], enabled: true }],
);

export const WebhookEndpointParams = Type.Object({ id: Type.String({ maxLength: 128 }) });

const endpointFields = {
  id: Type.String({ description: "ep_…" }),
  url: Type.String(),
  enabledTopics: Type.Array(Type.String()),
  enabled: Type.Boolean(),
  disabledReason: Type.Optional(
    Type.String({ description: "Why the server turned it off (its receiver answered 410 Gone)" }),
  ),
  createdAt: Type.String({ format: "date-time" }),
  updatedAt: Type.String({ format: "date-time" }),
};

export const WebhookEndpointResponse = Type.Object(endpointFields);

export const WebhookEndpointWithSecret = Type.Object({
  ...endpointFields,
  secret: Type.String({ description: "whsec_…: the signing secret, answered only here" }),
});

export const WebhookEndpointList = Type.Object({ data: Type.Array(WebhookEndpointResponse) });

export const WebhookEndpointDeleted = Type.Object({ id: Type.String(), deleted: Type.Boolean() });
