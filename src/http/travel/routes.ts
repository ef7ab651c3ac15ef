// HTTP ⇄ TravelService: Airship's /v1/flights and /v1/events, each path in every id/{externalId} spelling, segment by
// segment (the project as {projectId} or id/{projectExternalId}; the flight as {flightId} or id/{flightExternalId}).
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Scope } from "../../accounts/scopes.js";
import { type Key, numericId } from "../../core/ids.js";
import { PaginationInfo, PaginationQuery } from "../../core/pagination.js";
import type { TravelService } from "../../core/travel/service.js";
import type { TravelKind } from "../../core/travel/store.js";
import { access } from "../access.js";
import { accountOf } from "../auth.js";
import {
  eventExample,
  flightExample,
  itemParams,
  PassGroupsBody,
  PassGroupUpdateBody,
  projectParams,
  TravelBody,
  TravelResponse,
  TravelUpdateBody,
} from "./schemas.js";

type Params = Record<string, string | undefined>;

const FAMILIES = [
  {
    kind: "flight",
    scope: "wfli",
    tag: "Flights",
    idKey: "flightId",
    externalKey: "flightExternalId",
    example: flightExample,
    required: "",
  },
  {
    kind: "event",
    scope: "wevt",
    tag: "Events",
    idKey: "eventId",
    externalKey: "eventExternalId",
    example: eventExample,
    required: "; eventName is",
  },
] as const;

const projectKey = (p: Params): Key =>
  p.projectId !== undefined ? { id: numericId(p.projectId, "Project") } : { externalId: p.projectExternalId! };

export const travelRoutes: FastifyPluginAsyncTypebox<{ travel: TravelService }> = async (app, { travel }) => {
  for (const family of FAMILIES) {
    const { kind, idKey, externalKey, tag } = family;
    const tags = [tag];
    const scope: Scope = family.scope;
    const noun = kind as TravelKind;
    const base = `/${kind}s/project`;
    const Response = TravelResponse(idKey, externalKey, kind);
    const items = itemParams(idKey, externalKey);
    const itemKey = (p: Params): Key =>
      p[idKey] !== undefined
        ? { id: numericId(p[idKey]!, kind === "flight" ? "Flight" : "Event") }
        : { externalId: p[externalKey]! };
    const projects = [
      { path: `${base}/:projectId`, params: projectParams.byId, form: "" },
      { path: `${base}/id/:projectExternalId`, params: projectParams.byExternalId, form: " (project external ID)" },
    ] as const;
    for (const project of projects) {
      app.post(
        project.path,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `Create a ${kind}${project.form}`,
            params: project.params,
            body: TravelBody(kind, family.example, family.required),
            response: { 200: Response },
          },
        },
        (request) => travel.create(accountOf(request), projectKey(request.params as Params), noun, request.body),
      );
      app.post(
        `${project.path}/id/:${externalKey}`,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `Create a ${kind} with an external ID${project.form}`,
            params: Type.Composite([
              project.params,
              Type.Object({ [externalKey]: items.idByExternal.properties[externalKey]! }),
            ]),
            body: TravelBody(kind, family.example, family.required),
            response: { 200: Response },
          },
        },
        (request) => {
          const params = request.params as Params;
          return travel.create(accountOf(request), projectKey(params), noun, request.body, params[externalKey]);
        },
      );
      app.get(
        project.path,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `List the project's ${kind}s${project.form}`,
            description: "order: id (default), createdAt or updatedAt; direction ASC or DESC (default).",
            params: project.params,
            querystring: PaginationQuery,
            response: {
              200: Type.Object({
                count: Type.Integer(),
                pagination: PaginationInfo,
                [`${kind}s`]: Type.Array(Response),
              }),
            },
          },
        },
        (request) => travel.list(accountOf(request), projectKey(request.params as Params), noun, request.query),
      );
      app.put(
        `${project.path}/passGroups/:passGroup`,
        {
          config: { ...access(scope, "project"), heavy: true },
          schema: {
            tags,
            summary: `Update every ${kind} of a pass group${project.form}`,
            description: `Only the named fields change, on every ${kind} of the group; their passes follow through one ticket.`,
            params: Type.Composite([
              project.params,
              Type.Object({ passGroup: Type.String({ minLength: 1, maxLength: 255 }) }),
            ]),
            body: PassGroupUpdateBody,
            response: {
              200: Type.Object(
                { passGroup: Type.String(), ticketId: Type.Integer(), [`${kind}s`]: Type.Array(Response) },
                { additionalProperties: true },
              ),
            },
          },
        },
        (request) => {
          const params = request.params as Params;
          return travel.updatePassGroup(accountOf(request), projectKey(params), noun, params.passGroup!, request.body);
        },
      );
    }
    const itemPaths = [
      { path: `${base}/:projectId/:${idKey}`, params: items.idById, form: "" },
      { path: `${base}/:projectId/id/:${externalKey}`, params: items.idByExternal, form: ` (${kind} external ID)` },
      { path: `${base}/id/:projectExternalId/:${idKey}`, params: items.externalById, form: " (project external ID)" },
      {
        path: `${base}/id/:projectExternalId/id/:${externalKey}`,
        params: items.externalByExternal,
        form: " (external IDs)",
      },
    ] as const;
    for (const item of itemPaths) {
      const keys = (params: unknown) => [projectKey(params as Params), itemKey(params as Params)] as const;
      app.get(
        item.path,
        {
          config: access(scope, "project"),
          schema: { tags, summary: `Get a ${kind}${item.form}`, params: item.params, response: { 200: Response } },
        },
        (request) => travel.get(accountOf(request), ...withKind(keys(request.params), noun)),
      );
      app.put(
        item.path,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `Update a ${kind}${item.form}`,
            params: item.params,
            body: TravelUpdateBody(kind),
            response: { 200: Response },
          },
        },
        (request) => {
          const [project, key] = keys(request.params);
          return travel.update(accountOf(request), project, noun, key, request.body);
        },
      );
      app.delete(
        item.path,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `Delete a ${kind}${item.form}`,
            description: `The passes made for it keep their values and no longer follow it.`,
            params: item.params,
            response: { 200: Type.Object({ [idKey]: Type.Integer(), status: Type.Literal("deleted") }) },
          },
        },
        (request) => travel.delete(accountOf(request), ...withKind(keys(request.params), noun)),
      );
      const GroupsAnswer = Type.Object(
        { [idKey]: Type.Integer(), passGroups: Type.Array(Type.String()) },
        { additionalProperties: true },
      );
      app.post(
        `${item.path}/passGroups`,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `Add a ${kind} to pass groups${item.form}`,
            description: `A pass group named for the first time is created; one the ${kind} is in already is ignored.`,
            params: item.params,
            body: PassGroupsBody,
            response: { 200: GroupsAnswer },
          },
        },
        (request) => {
          const [project, key] = keys(request.params);
          return travel.addToPassGroups(accountOf(request), project, noun, key, request.body);
        },
      );
      app.delete(
        `${item.path}/passGroups`,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `Remove a ${kind} from pass groups${item.form}`,
            description:
              'With a body {"passGroups": ["name", …]}, from those pass groups; without a body, from every one.',
            params: item.params,
            response: { 200: GroupsAnswer },
          },
        },
        (request) => {
          const [project, key] = keys(request.params);
          const body = request.body as { passGroups?: unknown } | undefined;
          return travel.removeFromPassGroups(accountOf(request), project, noun, key, body?.passGroups);
        },
      );
      app.delete(
        `${item.path}/passGroups/:passGroup`,
        {
          config: access(scope, "project"),
          schema: {
            tags,
            summary: `Remove a ${kind} from one pass group${item.form}`,
            params: Type.Composite([
              item.params,
              Type.Object({ passGroup: Type.String({ minLength: 1, maxLength: 255 }) }),
            ]),
            response: { 200: GroupsAnswer },
          },
        },
        (request) => {
          const [project, key] = keys(request.params);
          const passGroup = (request.params as Params).passGroup!;
          return travel.removeFromPassGroups(accountOf(request), project, noun, key, [passGroup]);
        },
      );
    }
  }
};

const withKind = (keys: readonly [Key, Key], kind: TravelKind) => [keys[0], kind, keys[1]] as const;
