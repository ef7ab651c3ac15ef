// The rules of adaptive links: create (templates by id, external id or pass-link id), read, list with keyset
// pages, partial update, delete, the passes a link made, and the boarding-pass / event-ticket "multiple" create
// whose flights and events reach every passenger's or attendee's pass.
import { type Clock, systemClock } from "../../clock.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { takesValue } from "../../domain/known-headers.js";
import { isObject } from "../../domain/values.js";
import { vendorOn } from "../../domain/vendors.js";
import { AppError, notFound } from "../../errors.js";
import type { PaginationQuery } from "../pagination.js";
import type { PassStatusFilter } from "../passes/repository.js";
import type { PassService } from "../passes/service.js";
import { parsePassGroups, type TravelService } from "../travel/service.js";
import { type LinkInput, parseLinkBody, type TemplateRef } from "./link-body.js";
import { type LinkCursor, readLinkPage } from "./list-page.js";
import type { LinkData, LinkKey, LinkRepository, LinkRow } from "./repository.js";

interface TemplateInfo {
  id: number;
  vendor: string;
  projectId: number;
  externalId: string | null;
}

export const DEFAULT_AVAILABLE_PASSES = 1_000_000;
/** How long a link created without an expiration date lives. */
export const DEFAULT_LINK_LIFETIME_DAYS = 180;

const dateOnly = (date: Date) => date.toISOString().slice(0, 10);

export class AdaptiveLinkService {
  constructor(
    private readonly links: LinkRepository,
    private readonly passService: PassService,
    private readonly travel: Pick<TravelService, "changed" | "join">,
    private readonly publicBaseUrl: string,
    private readonly clock: Clock = systemClock,
  ) {}

  /** The JSON of a link, as the reference shows it. */
  response(link: LinkRow) {
    const url = `${this.publicBaseUrl}/v1/pass/adaptive/${link.id}`;
    return {
      adaptiveLinkId: link.id,
      ...(link.externalId === null ? {} : { adaptiveLinkExternalId: link.externalId }),
      url,
      iosUrl: `${url}/ios`,
      androidUrl: `${url}/android`,
      ...(link.landingPageUrl ? { landingPageUrl: link.landingPageUrl } : {}),
      isPersonalized: link.isPersonalized,
      isExpired: link.expirationDate !== null && link.expirationDate.getTime() <= this.clock.now(),
      ...(link.expirationDate
        ? { expirationDate: dateOnly(link.expirationDate), expiry: dateOnly(link.expirationDate) }
        : {}),
      availablePasses: link.availablePasses ?? DEFAULT_AVAILABLE_PASSES,
      isAvailablePassesUnlimited: link.availablePasses === null,
      doesAllowUrlParameters: true,
      ...(link.ttlInDays === null ? {} : { ttlInDays: link.ttlInDays }),
      ...(link.iosTemplateId === null ? {} : { iosTemplateId: link.iosTemplateId }),
      ...(link.iosTemplateExternalId ? { iosTemplateExternalId: link.iosTemplateExternalId } : {}),
      ...(link.androidTemplateId === null ? {} : { androidTemplateId: link.androidTemplateId }),
      ...(link.androidTemplateExternalId ? { androidTemplateExternalId: link.androidTemplateExternalId } : {}),
      projectId: link.projectId,
      ...(link.projectExternalId ? { projectExternalId: link.projectExternalId } : {}),
      iosPassLinkId: link.iosPassLinkId,
      androidPassLinkId: link.androidPassLinkId,
      ...(link.parameterEncoding ? { parameterEncoding: link.parameterEncoding } : {}),
      ...(link.locationRadius === null ? {} : { locationRadius: link.locationRadius }),
      ...(link.maxResultLocations === null ? {} : { maxResultLocations: link.maxResultLocations }),
      ...(link.locations.length ? { locations: link.locations } : {}),
      ...(Object.keys(link.payload).length ? { payload: link.payload } : {}),
      ...(link.flightId === null
        ? {}
        : { flightId: link.flightId, flightExternalId: link.flightExternalId ?? undefined }),
      ...(link.eventId === null ? {} : { eventId: link.eventId, eventExternalId: link.eventExternalId ?? undefined }),
      createdAt: link.createdAt.toISOString(),
      updatedAt: link.updatedAt.toISOString(),
      status: 200,
    };
  }

  private async template(accountId: number, key: { id: number } | { externalId: string }): Promise<TemplateInfo> {
    const template = await this.links.templateOf(accountId, key);
    if (!template) throw notFound("Template");
    return template;
  }

  /** The template (and inherited payload) a reference names for one platform; checks the vendor fits. */
  private async resolve(accountId: number, platform: "ios" | "android", ref: TemplateRef) {
    let payload: Record<string, unknown> | undefined;
    let template: TemplateInfo;
    if ("passLinkId" in ref) {
      const link = await this.links.byPassLinkId(accountId, ref.passLinkId);
      const id = link && (link.iosPassLinkId === ref.passLinkId ? link.iosTemplateId : link.androidTemplateId);
      if (!link || id === null || id === undefined) throw notFound("Template", `Pass link ${ref.passLinkId}`);
      template = await this.template(accountId, { id });
      payload = link.payload;
    } else {
      template = await this.template(accountId, ref);
    }
    const wanted = vendorOn(platform);
    if (template.vendor !== wanted) {
      throw new InvalidInput([
        `${platform} template ${template.id} is a ${template.vendor} template; it must be ${wanted}`,
      ]);
    }
    return { template, payload };
  }

  /**
   * A link's stored data from its body. `project` is the project the link lives in (the path's, or the existing
   * link's); without one, the templates' own. Every template a link names must belong to that project: a link
   * never hands out another project's passes (400 otherwise).
   */
  private async data(accountId: number, input: LinkInput, base?: LinkRow, project?: number): Promise<LinkData> {
    const ios = input.ios === undefined ? undefined : input.ios && (await this.resolve(accountId, "ios", input.ios));
    const android =
      input.android === undefined
        ? undefined
        : input.android && (await this.resolve(accountId, "android", input.android));
    const iosTemplateId = ios === undefined ? (base?.iosTemplateId ?? null) : (ios?.template.id ?? null);
    const androidTemplateId =
      android === undefined ? (base?.androidTemplateId ?? null) : (android?.template.id ?? null);
    if (iosTemplateId === null && androidTemplateId === null)
      throw new InvalidInput(["the link needs an iOS or an Android template"]);
    const projectId = project ?? base?.projectId ?? ios?.template.projectId ?? android!.template.projectId;
    const strangers = [
      ["iOS", ios?.template],
      ["Android", android?.template],
    ].filter(([, t]) => t && (t as TemplateInfo).projectId !== projectId) as [string, TemplateInfo][];
    if (strangers.length) {
      throw new InvalidInput(
        strangers.map(
          ([platform, t]) =>
            `the ${platform} template ${t.id} belongs to project ${t.projectId}, not to the link's project ${projectId}`,
        ),
      );
    }
    return {
      projectId,
      iosTemplateId,
      androidTemplateId,
      payload: input.payload ?? base?.payload ?? ios?.payload ?? android?.payload ?? {},
      locations: input.locations ?? base?.locations ?? [],
      landingPageUrl: input.landingPageUrl === undefined ? (base?.landingPageUrl ?? null) : input.landingPageUrl,
      availablePasses: input.availablePasses ?? base?.availablePasses ?? DEFAULT_AVAILABLE_PASSES,
      isPersonalized: input.isPersonalized ?? base?.isPersonalized ?? false,
      // A new link without a date lives DEFAULT_LINK_LIFETIME_DAYS (as Airship's do); null means "never expires".
      expirationDate:
        input.expirationDate !== undefined
          ? input.expirationDate
          : base
            ? base.expirationDate
            : new Date(this.clock.now() + DEFAULT_LINK_LIFETIME_DAYS * 86_400_000),
      ttlInDays: input.ttlInDays === undefined ? (base?.ttlInDays ?? 30) : input.ttlInDays,
      parameterEncoding:
        input.parameterEncoding === undefined ? (base?.parameterEncoding ?? null) : input.parameterEncoding,
      locationRadius: input.locationRadius === undefined ? (base?.locationRadius ?? null) : input.locationRadius,
      maxResultLocations:
        input.maxResultLocations === undefined ? (base?.maxResultLocations ?? null) : input.maxResultLocations,
    };
  }

  async require(accountId: number, key: LinkKey): Promise<LinkRow> {
    const link = await this.links.find(accountId, key);
    if (!link) throw notFound("Adaptive link");
    return link;
  }

  async projectId(accountId: number, project: { id: number } | { externalId: string }): Promise<number> {
    const id = await this.links.projectIdOf(accountId, project);
    if (id === undefined) throw notFound("Project");
    return id;
  }

  async create(accountId: number, body: unknown, scope: { projectId?: number; externalId?: string } = {}) {
    const data = await this.data(accountId, parseLinkBody(body), undefined, scope.projectId);
    const id = await this.links.create(accountId, { ...data, externalId: scope.externalId ?? null });
    return this.response(await this.require(accountId, { id }));
  }

  async get(accountId: number, key: LinkKey) {
    return this.response(await this.require(accountId, key));
  }

  async update(accountId: number, key: LinkKey, body: unknown) {
    const link = await this.require(accountId, key);
    await this.links.update(link.id, await this.data(accountId, parseLinkBody(body, true), link));
    return this.response(await this.require(accountId, { id: link.id }));
  }

  async delete(accountId: number, key: LinkKey) {
    const link = await this.require(accountId, key);
    await this.links.delete(accountId, link.id);
    return {};
  }

  async list(
    accountId: number,
    filter: { projectId?: number; templateId?: number },
    query: { pageSize?: string; nextPageToken?: string },
  ) {
    const size = query.pageSize === undefined ? (filter.projectId === undefined ? 1000 : 10) : Number(query.pageSize);
    if (!Number.isInteger(size) || size < 1 || size > 1000) throw new InvalidInput(["pageSize must be from 1 to 1000"]);
    let after: LinkCursor | undefined;
    if (query.nextPageToken !== undefined) {
      const match = /^([A-Za-z0-9]{1,64})\.(\d{1,15})$/.exec(query.nextPageToken);
      if (!match) throw new InvalidInput(["nextPageToken is not a token this server gave"]);
      after = { id: match[1]!, createdAt: new Date(Number(match[2])) };
    }
    const { page, more } = await readLinkPage(
      (n, cursor) => this.links.list(accountId, filter, { size: n, after: cursor }),
      size,
      after,
    );
    const last = page[page.length - 1];
    return {
      links: page.map((l) => this.response(l)),
      ...(more && last ? { nextPageToken: `${last.id}.${last.createdAt.getTime()}` } : {}),
    };
  }

  async passes(accountId: number, key: LinkKey, query: PaginationQuery & { status?: PassStatusFilter }) {
    const link = await this.require(accountId, key);
    return this.passService.list(accountId, query, undefined, link.id);
  }

  /** The (up to two) passes with this external id made from the link. */
  async passesByExternalId(accountId: number, key: LinkKey, passExternalId: string) {
    const link = await this.require(accountId, key);
    const ids = (await this.links.passIdsByExternalId(link.id, passExternalId)).reverse();
    if (ids.length === 0) throw notFound("Pass");
    const passes = [];
    for (const id of ids) {
      const pass = await this.passService.get(accountId, { id });
      const {
        headers: _h,
        fields: _f,
        locations: _l,
        beacons: _b,
        tags: _t,
        ...summary
      } = pass as Record<string, unknown>;
      passes.push(summary as ReturnType<PassService["summary"]>);
    }
    return { passes };
  }

  /** Updates each pass with this external id made from the link: one ticket per template. */
  async updatePassesByExternalId(accountId: number, key: LinkKey, passExternalId: string, body: unknown) {
    const link = await this.require(accountId, key);
    const ids = await this.links.passIdsByExternalId(link.id, passExternalId);
    if (ids.length === 0) throw notFound("Pass");
    if (!isObject(body)) throw new InvalidInput(["The pass update must be a JSON object"]);
    // The link's passes come from two templates: each takes the names its own template has.
    const plans = [];
    const used = new Set<string>();
    for (const id of ids) {
      const pass = (await this.passService.get(accountId, { id })) as { fields: object; headers: object };
      const known = (name: string) => takesValue(pass, name);
      const pick = (group: unknown) =>
        isObject(group)
          ? Object.fromEntries(Object.entries(group).filter(([name]) => known(name) && used.add(name)))
          : undefined;
      // Beacons are Apple's: the Apple pass takes them, the Google pass goes without (as the reference's example).
      const { beacons, ...rest } = body;
      const isApple = "beacons" in pass;
      plans.push({
        id,
        body: {
          ...rest,
          ...(isApple && beacons !== undefined ? { beacons } : {}),
          fields: pick(body.fields),
          headers: pick(body.headers),
        },
      });
    }
    const unknown = [body.fields, body.headers]
      .flatMap((g) => (isObject(g) ? Object.keys(g) : []))
      .filter((n) => !used.has(n));
    if (unknown.length) throw new InvalidInput([`Unknown fields for this link's templates: ${unknown.join(", ")}`]);
    const tickets = [];
    for (const plan of plans) {
      const { ticketId } = await this.passService.update(accountId, { id: plan.id }, plan.body as never);
      tickets.push({ id: ticketId });
    }
    // As the reference answers it: one ticket per template the link's passes came from.
    return { tickets };
  }

  /**
   * Boarding passes and event tickets: one link per passenger (attendee), each pointing at its flight (event),
   * which is created or updated; an update to an existing flight reaches the passes already made for it.
   */
  async createMultiple(accountId: number, projectId: number, body: unknown) {
    if (!isObject(body) || !isObject(body.payload))
      throw new InvalidInput(["payload with flights or events is required"]);
    const { payload, ...linkBody } = body;
    const kind = Array.isArray(payload.flights) ? "flights" : Array.isArray(payload.events) ? "events" : undefined;
    if (!kind) throw new InvalidInput(["payload must hold a flights or an events array"]);
    const members = kind === "flights" ? "passengers" : "attendees";
    const column = kind === "flights" ? "flight_id" : "event_id";
    const idKey = kind === "flights" ? "flightId" : "eventId";
    const extKey = kind === "flights" ? "flightExternalId" : "eventExternalId";
    const input = parseLinkBody(linkBody);
    const base = await this.data(accountId, input, undefined, projectId);
    const groups = payload[kind] as unknown[];
    const problems: string[] = [];
    groups.forEach((group, i) => {
      if (!isObject(group) || !Array.isArray(group[members]))
        problems.push(`payload.${kind}[${i}].${members} must be an array`);
      else {
        if (group.fields !== undefined && !isObject(group.fields))
          problems.push(`payload.${kind}[${i}].fields must be an object`);
      }
      if (
        isObject(group) &&
        group[idKey] !== undefined &&
        !(Number.isInteger(group[idKey]) && (group[idKey] as number) > 0)
      ) {
        problems.push(`payload.${kind}[${i}].${idKey} must be an id`);
      }
      if (
        isObject(group) &&
        group[extKey] !== undefined &&
        (typeof group[extKey] !== "string" || group[extKey] === "" || (group[extKey] as string).length > 255)
      ) {
        problems.push(`payload.${kind}[${i}].${extKey} must be a string of 1 to 255 characters`);
      }
      if (isObject(group) && group.passGroups !== undefined) {
        parsePassGroups(group.passGroups, `payload.${kind}[${i}].passGroups`, problems);
      }
    });
    if (problems.length) throw new InvalidInput(problems);
    const links = [];
    for (const raw of groups as Array<Record<string, unknown>>) {
      const key =
        typeof raw[idKey] === "number"
          ? { id: raw[idKey] as number }
          : { externalId: raw[extKey] as string | undefined };
      const group = await this.links.upsertGroup(
        kind === "flights" ? "flight" : "event",
        projectId,
        key,
        raw.fields as Record<string, unknown> | undefined,
      );
      if (!group) throw notFound(kind === "flights" ? "Flight" : "Event");
      if (group.changed) {
        await this.travel.changed(
          accountId,
          kind === "flights" ? "flight" : "event",
          group.id,
          raw.fields as Record<string, unknown>,
        );
      }
      if (Array.isArray(raw.passGroups)) await this.travel.join(group.id, raw.passGroups as string[]);
      for (const [j, member] of (raw[members] as unknown[]).entries()) {
        // Each passenger (attendee) answers for itself: one that cannot be made is a status of its own in the
        // answer, and the others are made (as Airship answers a status per link).
        const problem = memberProblem(member, `payload.${kind}[${groups.indexOf(raw)}].${members}[${j}]`);
        if (problem) {
          links.push(failedLink(member, new InvalidInput([problem])));
          continue;
        }
        const m = member as Record<string, unknown>;
        try {
          const externalId = typeof m.adaptiveLinkExternalId === "string" ? m.adaptiveLinkExternalId : undefined;
          const memberPayload = {
            ...(isObject(m.fields) ? { fields: m.fields } : {}),
            ...(Array.isArray(raw.passGroups) ? { passGroups: raw.passGroups } : {}),
          };
          let id = externalId ? await this.links.findByExternalIdInProject(projectId, externalId) : undefined;
          if (!id)
            id = await this.links.create(accountId, {
              ...base,
              projectId,
              externalId: externalId ?? null,
              payload: memberPayload,
            });
          await this.links.setGroup(id, column, group.id, memberPayload);
          links.push(this.response(await this.require(accountId, { id })));
        } catch (error) {
          if (!(error instanceof AppError)) throw error;
          links.push(failedLink(member, error));
        }
      }
    }
    return { links };
  }
}

/** Why a passenger (attendee) of a multiple-links request cannot have a link, or undefined. */
function memberProblem(member: unknown, where: string): string | undefined {
  if (!isObject(member)) return `${where} must be an object`;
  if (member.fields !== undefined && !isObject(member.fields)) return `${where}.fields must be an object`;
  const external = member.adaptiveLinkExternalId;
  if (external !== undefined && (typeof external !== "string" || external === "" || external.length > 255)) {
    return `${where}.adaptiveLinkExternalId must be a string of 1 to 255 characters`;
  }
  return undefined;
}

/** A passenger's entry when its link could not be made: its HTTP status and the error, in the error shape. */
function failedLink(member: unknown, error: AppError) {
  const external =
    isObject(member) && typeof member.adaptiveLinkExternalId === "string" ? member.adaptiveLinkExternalId : undefined;
  return {
    status: error.status,
    ...(external === undefined ? {} : { adaptiveLinkExternalId: external }),
    error: error.message,
    code: error.code,
    ...(error.details === undefined ? {} : { details: error.details }),
  };
}
