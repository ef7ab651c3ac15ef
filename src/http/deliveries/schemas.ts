import { Type } from "@sinclair/typebox";
import { MAX_DELIVERY_PAGE } from "../../core/deliveries/service.js";

const DeliveryId = Type.String({ pattern: "^[0-9]{1,19}$", description: "A delivery's id" });

export const DeliveriesQuery = Type.Object({
  state: Type.Optional(
    Type.Union([Type.Literal("dead"), Type.Literal("pending"), Type.Literal("delivered")], {
      description: "Which deliveries (default dead: the dead letters)",
    }),
  ),
  limit: Type.Optional(Type.String({ pattern: "^[0-9]{1,4}$", description: `1 to ${MAX_DELIVERY_PAGE}, default 50` })),
  before: Type.Optional(
    Type.String({ pattern: "^[0-9]{1,19}$", description: "The `next` of the previous page: the ones older than it" }),
  ),
});

export const Delivery = Type.Object({
  id: Type.String(),
  eventId: Type.String({ description: "The same on every attempt and replay (X-Wallet-Event-Id, webhook-id)" }),
  receiver: Type.Union([Type.Literal("callback"), Type.Literal("webhook")]),
  endpointId: Type.Optional(Type.String({ description: "The webhook endpoint (receiver webhook)" })),
  topic: Type.String(),
  url: Type.String({ description: "Where it was owed when it was queued" }),
  state: Type.Union([Type.Literal("pending"), Type.Literal("delivered"), Type.Literal("dead")]),
  attempts: Type.Integer(),
  lastStatus: Type.Union([Type.Integer(), Type.Null()], { description: "The receiver's last HTTP status" }),
  lastError: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: "date-time" }),
  nextAttemptAt: Type.Optional(Type.String({ format: "date-time" })),
  finishedAt: Type.Union([Type.String({ format: "date-time" }), Type.Null()]),
});

export const DeliveriesResponse = Type.Object({
  projectId: Type.Integer(),
  deliveries: Type.Array(Delivery),
  next: Type.Optional(Type.String({ description: "Pass as `before` for the next page; absent on the last" })),
});

export const ReplayBody = Type.Object(
  {
    ids: Type.Optional(Type.Array(DeliveryId, { maxItems: 1000, description: "Dead letters to replay" })),
    all: Type.Optional(Type.Boolean({ description: "Replay every dead letter of the project" })),
  },
  { additionalProperties: false },
);

export const ReplayResponse = Type.Object({
  projectId: Type.Integer(),
  replayed: Type.Array(Type.String(), { description: "The ids put back in the queue (ids not dead are left out)" }),
});
