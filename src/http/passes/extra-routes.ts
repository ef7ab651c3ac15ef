// HTTP ⇄ PassService for what a pass carries beside its fields, and sending it again: its locations and beacons,
// Google messages, and a push of the unchanged pass — each in the /v1/pass path forms Airship writes.
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { ExternalIdParam, NumericIdParam, numericId } from "../../core/ids.js";
import type { InstallationService } from "../../core/installations/service.js";
import type { PassHistoryService } from "../../core/pass-history/service.js";
import type { PassService } from "../../core/passes/service.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import { TicketIdResponse } from "../schema-kit.js";
import { ByExternal, ById, ByTemplateAndExternal, passKeyOf, passPaths, templatedKey } from "./keys.js";
import {
  BeaconsBody,
  HistoryQuery,
  HistoryResponse,
  InstallationsQuery,
  InstallationsResponse,
  LocationsBody,
  MessageBody,
  MessageResponse,
  PassLocationDeleteResponse,
  PassLocationsResponse,
  PushResponse,
} from "./schemas.js";

const tags = ["Passes"];

export const passExtraRoutes: FastifyPluginAsyncTypebox<{
  passes: PassService;
  installations: InstallationService;
  history: PassHistoryService;
}> = async (app, { passes, installations, history }) => {
  for (const [path, params, owner, form] of passPaths("history")) {
    app.get(
      path,
      {
        config: access("wpas", owner),
        schema: {
          tags,
          summary: `A pass's history${form}`,
          description:
            "Its events from the pass-event log, newest first: created, updated, notified, installed (with the " +
            "platform and Apple device), uninstalled, personalized, voided, expired. At most 200 a page (`limit`, " +
            "default 50); `next` pages on. Kept PASS_EVENT_RETENTION_DAYS (default 400).",
          params,
          querystring: HistoryQuery,
          response: { 200: HistoryResponse },
        },
      },
      (request) => history.list(accountOf(request), passKeyOf(request.params), request.query),
    );
  }
  for (const [path, params, owner, form] of passPaths("installations")) {
    app.get(
      path,
      {
        config: access("wpas", owner),
        schema: {
          tags,
          summary: `Where a pass is installed${form}`,
          description:
            "Apple: each device registered for the pass through the PassKit web service; Google: the save Google " +
            "reported (no device). Oldest first, paged (page, pageSize ≤ 1000).",
          params,
          querystring: InstallationsQuery,
          response: { 200: InstallationsResponse },
        },
      },
      (request) => installations.list(accountOf(request), passKeyOf(request.params), request.query),
    );
  }

  app.post(
    "/pass/template/:templateId/id/:externalId/locations",
    {
      config: access("wpas", "template"),
      schema: {
        tags,
        summary: "Add locations to pass by template and external id",
        params: ByTemplateAndExternal,
        body: LocationsBody,
        response: { 200: PassLocationsResponse },
      },
    },
    async (request) => {
      const accountId = accountOf(request);
      const pass = await passes.find(accountId, templatedKey(request.params));
      return passes.addLocations(accountId, pass.id, request.body);
    },
  );
  app.delete(
    "/pass/template/:templateId/id/:externalId/location/:locationId",
    {
      config: access("wpas", "template"),
      schema: {
        tags,
        summary: "Delete location from pass by template and external id",
        params: Type.Object({ templateId: NumericIdParam, externalId: ExternalIdParam, locationId: NumericIdParam }),
        response: { 200: PassLocationDeleteResponse },
      },
    },
    async (request) => {
      const accountId = accountOf(request);
      const pass = await passes.find(accountId, templatedKey(request.params));
      return passes.deleteLocation(accountId, pass.id, numericId(request.params.locationId, "Location"));
    },
  );

  for (const [path, params, owner, form] of passPaths("beacons")) {
    app.put(
      path,
      {
        config: access("wpas", owner),
        schema: {
          tags,
          summary: `Set an Apple pass's beacons${form}`,
          description:
            "Replaces the pass's beacons (at most 10); Apple passes only. Answers 201 with the update's ticket.",
          params,
          body: BeaconsBody,
          response: { 201: TicketIdResponse },
        },
      },
      async (request, reply) => {
        const key = passKeyOf(request.params);
        const answer = await passes.setBeacons(accountOf(request), key, request.body);
        reply.code(201);
        return answer;
      },
    );
  }

  for (const [path, params, owner, form] of passPaths("message")) {
    app.post(
      path,
      {
        config: access("wpas", owner),
        schema: {
          tags,
          summary: `Add a message to a Google pass${form}`,
          description:
            "Shown on the pass in Google Wallet (within startTime–endTime when given); the pass keeps its newest 10. " +
            "Apple passes answer 400 (use …/notify).",
          params,
          body: MessageBody,
          response: { 200: MessageResponse },
        },
      },
      (request) => {
        const key = passKeyOf(request.params);
        return passes.addGoogleMessage(accountOf(request), key, request.body);
      },
    );
  }

  for (const [path, params] of [
    ["/pass/:id/push", ById],
    ["/pass/id/:externalId/push", ByExternal],
  ] as const) {
    app.put(
      path,
      {
        config: access("wpas", "pass"),
        schema: {
          tags,
          summary: "Send the pass to its devices again, unchanged (APNs push, Google object refresh)",
          params,
          response: { 200: PushResponse },
        },
      },
      (request) => {
        const p = request.params as { id?: string; externalId?: string };
        const key = p.externalId !== undefined ? { externalId: p.externalId } : { id: numericId(p.id!, "Pass") };
        return passes.push(accountOf(request), key);
      },
    );
  }

  app.post(
    "/pass/:id/locations",
    {
      config: access("wpas", "pass"),
      schema: {
        tags,
        summary: "Add locations to pass",
        params: ById,
        body: LocationsBody,
        response: { 200: PassLocationsResponse },
      },
    },
    (request) => passes.addLocations(accountOf(request), numericId(request.params.id, "Pass"), request.body),
  );
  app.delete(
    "/pass/:id/location/:locationId",
    {
      config: access("wpas", "pass"),
      schema: {
        tags,
        summary: "Delete location from pass",
        params: Type.Object({ id: NumericIdParam, locationId: NumericIdParam }),
        response: { 200: PassLocationDeleteResponse },
      },
    },
    (request) =>
      passes.deleteLocation(
        accountOf(request),
        numericId(request.params.id, "Pass"),
        numericId(request.params.locationId, "Location"),
      ),
  );
};
