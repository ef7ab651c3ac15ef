// The rules of passes: creation from a template, the merged view, partial updates (values, labels, change
// messages; locations and beacons as sets; tags), external-id forms, locations, listing with status filters.

import { randomUUID } from "node:crypto";
import type { Clock } from "../../clock.js";
import { applyPassValues, designOf, isVoided, mergedView, type PassOverrides } from "../../domain/field-model.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { takesValue } from "../../domain/known-headers.js";
import { passFieldsOf } from "../../domain/pass-fields.js";
import {
  type Beacon,
  isObject,
  type LocationInput,
  locationsRequestOf,
  locationValue,
  MAX_LOCATIONS,
  parseBeacons,
  parseIsoDate,
  parseLocations,
  parseTags,
} from "../../domain/values.js";
import { traitsOf } from "../../domain/vendors.js";
import { AppError, notFound } from "../../errors.js";
import type { PassEventKind } from "../../events/pass-event-store.js";
import { IMAGE_HEADERS, type ImageStore } from "../../images/image-store.js";
import { type Key, numericId } from "../ids.js";
import type { LocationRow } from "../location-store.js";
import { type PaginationQuery, paginationInfo, resolvePage } from "../pagination.js";
import type { PassTemplate, TemplateRepository } from "../templates/repository.js";
import { MAX_MESSAGES_PER_PASS, parseGoogleMessage } from "./google-message.js";
import { PassImages, withImages } from "./pass-images.js";
import type { PassChanges, PassRepository, PassRow, PassStatusFilter, PassSummary, PassUpdate } from "./repository.js";

export interface PassBody {
  headers?: unknown;
  fields?: unknown;
  beacons?: unknown;
  locations?: unknown;
  tags?: unknown;
  publicUrl?: unknown;
  publicURL?: unknown;
  externalId?: unknown;
}

export type PassKey = { id: number } | { externalId: string; templateId?: number };

/** "single" or "multiple" from a publicUrl object (any case), else undefined. */
function publicUrlTypeOf(publicUrl: unknown): "single" | "multiple" | undefined {
  const type = isObject(publicUrl) && typeof publicUrl.type === "string" ? publicUrl.type.toLowerCase() : undefined;
  return type === "single" || type === "multiple" ? type : undefined;
}

/** The events an update makes besides "updated": the pass became voided, or its expiration date passed. */
function stateEvents(template: PassTemplate, pass: PassRow, changes: PassChanges, now: number): PassEventKind[] {
  if (!changes.overrides) return [];
  const design = designOf(template);
  const before = mergedView(design, pass.overrides as PassOverrides).headers;
  const after = mergedView(design, changes.overrides).headers;
  const expired = (headers: typeof before) => {
    const date = parseIsoDate(headers.expirationDate?.value);
    return date !== undefined && date.getTime() <= now;
  };
  const events: PassEventKind[] = [];
  if (isVoided(after) && !isVoided(before)) events.push("voided");
  if (expired(after) && !expired(before)) events.push("expired");
  return events;
}

export class PassService {
  constructor(
    private readonly passes: PassRepository,
    private readonly templates: Pick<TemplateRepository, "forPasses" | "exists">,
    private readonly publicBaseUrl: string,
    images: Pick<ImageStore, "resolve" | "hostUpcoming">,
    private readonly clock: Clock,
  ) {
    this.images = new PassImages(images);
  }

  private readonly images: PassImages;

  private async template(accountId: number, key: Key): Promise<PassTemplate> {
    const template = await this.templates.forPasses(accountId, key);
    if (!template) throw notFound("Template");
    return template;
  }

  /** Validates a create/update body against the template into the changes to store. */
  private changesOf(
    template: PassTemplate,
    current: PassOverrides,
    body: PassBody,
    existingLocations = 0,
  ): PassChanges {
    if (!isObject(body)) throw new InvalidInput(["The pass must be a JSON object"]);
    const changes: PassChanges = {};
    const problems: string[] = [];
    if (body.headers !== undefined || body.fields !== undefined) {
      changes.overrides = applyPassValues(designOf(template), current, body);
    }
    if (body.beacons !== undefined && body.beacons !== null) {
      if (!traitsOf(template.vendor).beacons) problems.push("beacons are supported on Apple passes only");
      else {
        const parsed = parseBeacons(body.beacons);
        if ("problems" in parsed) problems.push(...parsed.problems);
        else changes.beacons = parsed.beacons as Beacon[];
      }
    }
    if (body.locations !== undefined && body.locations !== null) {
      const parsed = parseLocations(body.locations);
      if ("problems" in parsed) problems.push(...parsed.problems);
      else {
        changes.locations = parsed.locations as LocationInput[];
        if (existingLocations + parsed.locations.length > MAX_LOCATIONS) {
          problems.push(
            `passes hold at most ${MAX_LOCATIONS} locations (got ${existingLocations + parsed.locations.length})`,
          );
        }
      }
    }
    if (body.tags !== undefined && body.tags !== null) changes.tags = parseTags(body.tags);
    const publicUrl = body.publicUrl ?? body.publicURL;
    if (publicUrl !== undefined && publicUrl !== null && publicUrlTypeOf(publicUrl) === undefined) {
      problems.push('publicUrl.type must be "single" or "multiple"');
    }
    if (problems.length) throw new InvalidInput(problems);
    return changes;
  }

  private response(pass: PassRow, template: PassTemplate) {
    const design = designOf(template);
    const view = mergedView(design, pass.overrides as PassOverrides);
    const locations: LocationRow[] = pass.locations.length ? pass.locations : template.locations;
    const beacons = (pass.beacons as Beacon[] | null) ?? design.beacons;
    return {
      ...this.summary(pass),
      tags: pass.tags.map((t) => t.tag.name),
      headers: view.headers,
      fields: view.fields,
      ...(traitsOf(template.vendor).beacons ? { beacons } : {}),
      locations: locations.map((l) => ({ id: l.id, ...locationValue(l) })),
      ...(pass.publicUrlType
        ? {
            publicUrl: {
              path: `${this.publicBaseUrl}/v1/download/pass/${pass.publicUrlToken}`,
              type: pass.publicUrlType === "single" ? "Single" : "Multiple",
              used: pass.publicUrlUsed,
              installs: pass.installs,
            },
          }
        : {}),
    };
  }

  /** The pass metadata of list responses. */
  summary(pass: PassSummary) {
    return {
      id: pass.id,
      templateId: pass.templateId,
      ...(pass.externalId === null ? {} : { externalId: pass.externalId }),
      serialNumber: pass.serialNumber,
      url: `${this.publicBaseUrl}/v1/pass/${pass.id}/download`,
      status: pass.status,
      ...(pass.platform === null ? {} : { platform: pass.platform }),
      ...(pass.installedAt === null ? {} : { installedAt: pass.installedAt.toISOString() }),
      ...(pass.uninstalledAt === null ? {} : { uninstalledAt: pass.uninstalledAt.toISOString() }),
      createdAt: pass.createdAt.toISOString(),
      updatedAt: pass.updatedAt.toISOString(),
    };
  }

  async create(
    accountId: number,
    templateKey: Key,
    body: PassBody,
    externalId?: string,
    expiry?: string,
    origin?: { adaptiveLinkId: string },
  ) {
    const template = await this.template(accountId, templateKey);
    const input = isObject(body) ? { ...body } : body;
    if (expiry !== undefined) {
      if (parseIsoDate(expiry) === undefined) throw new InvalidInput(["expiry must be an ISO 8601 date"]);
      const headers = isObject(input.headers) ? input.headers : {};
      input.headers = { ...headers, expirationDate: { value: expiry } };
    }
    if (this.images.namesUpcoming(input)) {
      this.changesOf(template, {}, input); // checks every value before anything is fetched
      await this.images.hostUpcoming(input);
    }
    const changes = this.changesOf(template, {}, input);
    changes.images = await this.images.after(template, input as PassBody, changes, {});
    // changesOf has checked publicUrl; only its type is kept (a pass's public link is set when it is created).
    const publicUrl = input.publicUrl ?? input.publicURL;
    const publicUrlType = publicUrl === undefined || publicUrl === null ? undefined : publicUrlTypeOf(publicUrl);
    let passExternalId = externalId;
    if (passExternalId === undefined && input.externalId !== undefined) {
      if (typeof input.externalId !== "string" || input.externalId === "" || input.externalId.length > 255) {
        throw new InvalidInput(["externalId must be a string of 1 to 255 characters"]);
      }
      passExternalId = input.externalId;
    }
    const pass = await this.passes.create(accountId, template.id, {
      ...(origin ? { adaptiveLinkId: origin.adaptiveLinkId } : {}),
      ...changes,
      externalId: passExternalId,
      publicUrlType,
    });
    const response = this.response(pass, template);
    return { ...response, passFields: passFieldsOf(response) };
  }

  private async byId(accountId: number, id: number): Promise<PassRow> {
    const pass = await this.passes.findById(accountId, id);
    if (!pass) throw notFound("Pass");
    return pass;
  }

  /** The pass a path names: by id, or by external id (optionally within one template); 404 when none. */
  find(accountId: number, key: PassKey): Promise<PassRow> {
    return this.passOf(accountId, key);
  }

  /**
   * What a set-based update gives the passes of one template: the validated values of the names the template
   * takes (others are left to the passes' other templates), and the images they name. `names` lists those taken.
   */
  async patchFor(
    accountId: number,
    templateId: number,
    body: { headers?: Record<string, unknown>; fields?: Record<string, unknown> },
  ) {
    const template = await this.template(accountId, { id: templateId });
    const design = designOf(template);
    const names: string[] = [];
    const taken = (group: Record<string, unknown> | undefined) =>
      Object.fromEntries(
        Object.entries(group ?? {}).filter(([name]) => takesValue(design, name) && names.push(name) > 0),
      );
    const input = { headers: taken(body.headers), fields: taken(body.fields) };
    const overrides = applyPassValues(design, {}, input);
    const images = (await this.images.after(template, input, { overrides }, {})) ?? {};
    const cleared = [...Object.keys(input.headers), ...Object.keys(input.fields)].filter(
      (name) => name in IMAGE_HEADERS && !(name in images),
    );
    return {
      templateId,
      names,
      overrides,
      images,
      clearedImages: traitsOf(template.vendor).imagesInPass ? cleared : [],
    };
  }

  /** The pass a path names: by id, or by external id (optionally within one template). */
  private passOf(accountId: number, key: PassKey): Promise<PassRow> {
    return "id" in key ? this.byId(accountId, key.id) : this.byExternalId(accountId, key.externalId, key.templateId);
  }

  /** The one pass an external id names (in one template, if given); 400 when several templates have one. */
  private async byExternalId(accountId: number, externalId: string, templateId?: number): Promise<PassRow> {
    const passes = await this.passes.findByExternalId(
      accountId,
      externalId,
      templateId === undefined ? undefined : [templateId],
    );
    if (passes.length === 0) throw notFound("Pass");
    if (passes.length > 1) {
      throw new AppError(
        "TEMPLATES_REQUIRED",
        `Several passes have external id "${externalId}": name their templates`,
        {
          templates: passes.map((p) => p.templateId),
        },
      );
    }
    return passes[0]!;
  }

  async get(accountId: number, key: PassKey) {
    const pass = await this.passOf(accountId, key);
    const template = await this.template(accountId, { id: pass.templateId });
    return this.response(pass, template);
  }

  /**
   * Validates an update against the pass as read and fetches the images it names, outside any transaction; the
   * repository then applies it to the pass as it is under its row lock, so concurrent updates of one pass each
   * keep their changes (none is computed from a state another has replaced).
   */
  private async planUpdate(accountId: number, pass: PassRow, body: PassBody): Promise<PassUpdate> {
    const template = await this.template(accountId, { id: pass.templateId });
    if (this.images.namesUpcoming(body)) {
      this.changesOf(template, pass.overrides as PassOverrides, body); // checks every value before anything is fetched
      await this.images.hostUpcoming(body);
    }
    const preview = this.changesOf(template, pass.overrides as PassOverrides, body);
    const images = await this.images.named(template, body, preview);
    return (current) => {
      const changes = this.changesOf(template, current.overrides as PassOverrides, body);
      const after = withImages(current.images as Record<string, string>, images);
      if (after !== undefined) changes.images = after;
      return { changes, also: stateEvents(template, current, changes, this.clock.now()) };
    };
  }

  private async updateOne(accountId: number, pass: PassRow, body: PassBody): Promise<number> {
    return this.passes.update(accountId, pass.id, await this.planUpdate(accountId, pass, body));
  }

  async update(accountId: number, key: PassKey, body: PassBody) {
    const pass = await this.passOf(accountId, key);
    return { ticketId: await this.updateOne(accountId, pass, body) };
  }

  /** PUT …/beacons (Airship's Apple-only operation): the pass's beacons replaced by `{"beacons": [...]}`. */
  async setBeacons(accountId: number, key: PassKey, body: unknown) {
    if (!isObject(body) || !Array.isArray(body.beacons)) {
      throw new InvalidInput(['The body must be {"beacons": [{"uuid", "major"?, "minor"?, "relevantText"?}, …]}']);
    }
    return this.update(accountId, key, { beacons: body.beacons });
  }

  /** POST …/message (Airship's Google-only operation): a message on the pass's Google object; answers it. */
  async addGoogleMessage(accountId: number, key: PassKey, body: unknown) {
    const pass = await this.passOf(accountId, key);
    const template = await this.template(accountId, { id: pass.templateId });
    if (!traitsOf(template.vendor).syncedObjects) {
      throw new InvalidInput([
        "messages are for Google passes; an Apple pass is told through POST /v1/pass/{id}/notify",
      ]);
    }
    const parsed = parseGoogleMessage(body, randomUUID(), new Date(this.clock.now()));
    if ("problems" in parsed) throw new InvalidInput(parsed.problems);
    await this.passes.update(accountId, pass.id, (current) => ({
      changes: {
        googleMessages: [...(current.googleMessages as object[]), parsed.message].slice(-MAX_MESSAGES_PER_PASS),
      },
      also: ["notified"],
    }));
    return parsed.message;
  }

  /** PUT /pass/id/{externalId}: one ticket, or with `templates`, one ticket per template in that order. */
  async updateByExternalId(accountId: number, externalId: string, body: PassBody & { templates?: unknown }) {
    if (!isObject(body)) throw new InvalidInput(["The pass must be a JSON object"]);
    const { templates, ...rest } = body;
    if (templates === undefined || templates === null) {
      return { ticketId: await this.updateOne(accountId, await this.byExternalId(accountId, externalId), rest) };
    }
    if (
      !Array.isArray(templates) ||
      templates.length === 0 ||
      templates.some((t) => !/^[0-9]{1,10}$/.test(String(t)))
    ) {
      throw new InvalidInput(["templates must be a non-empty array of template ids"]);
    }
    const ids = templates.map((t) => Number(t));
    const passes = await this.passes.findByExternalId(accountId, externalId, ids);
    const byTemplate = new Map(passes.map((p) => [p.templateId, p]));
    const missing = ids.filter((id) => !byTemplate.has(id));
    if (missing.length) throw notFound("Pass", `Pass "${externalId}" in template ${missing.join(", ")}`);
    // Validate every update before writing any, so a bad one leaves all passes untouched.
    const planned = [];
    for (const id of ids) {
      const pass = byTemplate.get(id)!;
      planned.push({ pass, plan: await this.planUpdate(accountId, pass, rest) });
    }
    const tickets = [];
    for (const { pass, plan } of planned)
      tickets.push({ ticketId: await this.passes.update(accountId, pass.id, plan) });
    return tickets;
  }

  /** PUT /pass/{id}/push: the pass goes to its devices again (APNs push, Google object sent), unchanged. */
  async push(accountId: number, key: PassKey) {
    const pass = await this.passOf(accountId, key);
    const ticketId = await this.passes.resend(accountId, pass.id);
    return { status: "success" as const, passId: pass.id, ticketId };
  }

  async delete(accountId: number, key: PassKey) {
    const pass = await this.passOf(accountId, key);
    await this.passes.delete(accountId, pass.id);
    return { status: "deleted", passId: pass.id };
  }

  async list(
    accountId: number,
    query: PaginationQuery & { templateId?: string; status?: PassStatusFilter },
    tag?: string,
    adaptiveLinkId?: string,
  ) {
    const page = resolvePage(query, ["id", "createdAt", "updatedAt"] as const, "id");
    if (query.templateId !== undefined && !/^[0-9]{1,18}$/.test(String(query.templateId))) {
      throw new InvalidInput(["templateId must be a template id"]);
    }
    const templateId = query.templateId === undefined ? undefined : numericId(String(query.templateId), "Template");
    // The ownership check runs beside the list queries: they are scoped to the account and answer nothing for a
    // template it does not own.
    const [exists, { count, rows }] = await Promise.all([
      templateId === undefined ? true : this.templates.exists(accountId, templateId),
      this.passes.list(accountId, { templateId, status: query.status, tag, adaptiveLinkId }, page),
    ]);
    if (!exists) throw notFound("Template");
    return { count, pagination: paginationInfo(page), passes: rows.map((p) => this.summary(p)) };
  }

  async addLocations(accountId: number, passId: number, body: unknown) {
    const pass = await this.byId(accountId, passId);
    const template = await this.template(accountId, { id: pass.templateId });
    const raw = locationsRequestOf(body);
    const { locations } = this.changesOf(template, {}, { locations: raw }, pass.locations.length);
    const created = await this.passes.addLocations(pass.id, locations ?? []);
    return created.map((l) => ({ passLocationId: l.id, value: locationValue(l) }));
  }

  async deleteLocation(accountId: number, passId: number, locationId: number) {
    const pass = await this.byId(accountId, passId);
    if (!(await this.passes.deleteLocation(pass.id, locationId))) throw notFound("Location");
    return { status: "deleted", passLocationId: locationId };
  }
}
