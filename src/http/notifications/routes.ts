// HTTP ⇄ NotificationService: POST (show) and DELETE (clear) a notification on a pass, a template's passes or a
// tag's passes.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import type { NotificationService, NotifyScope } from "../../core/notifications/service.js";
import { access, type Owner } from "../access.js";
import { accountOf } from "../auth.js";
import { Described, TicketIdResponse } from "../schema-kit.js";

const tags = ["Notifications"];
export const NotifyBody = Described(
  {
    value: Type.Optional(Type.Unknown({ description: "Required: the message, at most 500 characters" })),
    label: Type.Optional(Type.Unknown({ description: 'The field label (default "Last Notification")' })),
  },
  "A message for the holder's lock screen",
  [{ value: "20% off today", label: "Current Promotion" }],
);

type Params = Record<string, string>;
const forms: {
  path: string;
  params: ReturnType<typeof Type.Object>;
  owner: Owner;
  scope: (p: Params) => NotifyScope;
}[] = [
  {
    path: "/pass/:id/notify",
    owner: "pass",
    params: Type.Object({ id: NumericIdParam }),
    scope: (p) => ({ pass: { id: numericId(p.id!, "Pass") } }),
  },
  {
    path: "/pass/template/:templateId/id/:externalId/notify",
    owner: "template",
    params: Type.Object({ templateId: NumericIdParam, externalId: ExternalIdParam }),
    scope: (p) => ({ pass: { externalId: p.externalId!, templateId: numericId(p.templateId!, "Template") } }),
  },
  {
    path: "/template/:id/notify",
    owner: "template",
    params: Type.Object({ id: NumericIdParam }),
    scope: (p) => ({ template: { id: numericId(p.id!, "Template") } }),
  },
  {
    path: "/template/id/:externalId/notify",
    owner: "template",
    params: Type.Object({ externalId: ExternalIdParam }),
    scope: (p) => ({ template: { externalId: p.externalId! } }),
  },
  {
    path: "/tag/:tag/notify",
    owner: "account",
    params: Type.Object({ tag: Type.String({ minLength: 1, maxLength: 255 }) }),
    scope: (p) => ({ tag: p.tag! }),
  },
];

export const notificationRoutes: FastifyPluginAsyncTypebox<{ notifications: NotificationService }> = async (
  app,
  { notifications },
) => {
  for (const form of forms) {
    app.post(
      form.path,
      {
        config: access("wnot", form.owner),
        schema: {
          tags,
          summary: "Show a notification on the passes (a back field Wallet announces; a Google message)",
          params: form.params,
          body: NotifyBody,
          response: { 200: TicketIdResponse },
        },
      },
      (request) => notifications.notify(accountOf(request), form.scope(request.params as Params), request.body),
    );
    app.delete(
      form.path,
      {
        config: access("wnot", form.owner),
        schema: {
          tags,
          summary: "Clear the notification from the passes",
          params: form.params,
          response: { 200: TicketIdResponse },
        },
      },
      (request) => notifications.clear(accountOf(request), form.scope(request.params as Params)),
    );
  }
};
