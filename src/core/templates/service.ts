// The rules of templates: Apple/Google request shapes, full-replace updates, locations, personalization,
// and the bulk update that publishes new values to every pass of a template.
import {
  applyPassValues,
  designOf,
  fieldsModelOf,
  type ParsedTemplate,
  parseTemplateBody,
  type TemplateDesign,
} from "../../domain/field-model.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { parsePersonalization } from "../../domain/personalization.js";
import { templateHeaderOf } from "../../domain/template-header.js";
import {
  type LocationInput,
  locationsRequestOf,
  locationValue,
  MAX_LOCATIONS,
  parseLocations,
} from "../../domain/values.js";
import { traitsOf, type Vendor } from "../../domain/vendors.js";
import { AppError, notFound } from "../../errors.js";
import { type ImageStore, stockImage } from "../../images/image-store.js";
import type { Key } from "../ids.js";
import { type PaginationQuery, paginationInfo, resolvePage } from "../pagination.js";
import type { ProjectKey, ProjectRepository } from "../projects/repository.js";
import type { TicketService } from "../tickets/service.js";
import type { TemplateRepository, TemplateRow } from "./repository.js";

function locationsOf(raw: unknown): LocationInput[] {
  const parsed = parseLocations(raw);
  if ("problems" in parsed) throw new InvalidInput(parsed.problems);
  return parsed.locations;
}

export function headerOf(template: TemplateRow) {
  const design = designOf(template);
  return templateHeaderOf({ ...template, expiryDuration: design.expiryDuration ?? null }, template.project);
}

export class TemplateService {
  constructor(
    private readonly templates: TemplateRepository,
    private readonly projects: Pick<ProjectRepository, "findId">,
    private readonly tickets: TicketService,
    private readonly images: Pick<ImageStore, "resolve" | "store" | "hostUpcoming">,
  ) {}

  async require(accountId: number, key: Key): Promise<TemplateRow> {
    const template = await this.templates.find(accountId, key);
    if (!template) throw notFound("Template");
    return template;
  }

  /** Validates a template body, then fetches and stores its images (Apple templates: they go into the bundle). */
  private async parse(
    body: unknown,
    current?: { vendor: Vendor; type: string },
  ): Promise<ParsedTemplate & { locationList?: LocationInput[] }> {
    const parsed = parseTemplateBody(body, current);
    await this.images.hostUpcoming(parsed.design.headers);
    const locationList =
      parsed.locations === undefined || parsed.locations === null ? undefined : locationsOf(parsed.locations);
    if (traitsOf(parsed.vendor).imagesInPass) parsed.design.images = await this.images.resolve(parsed.design.headers);
    else {
      // Google fetches images by URL itself; data: URIs and Airship's stock images are stored and served by us.
      const logo = parsed.design.modules.titleModule?.image;
      if (typeof logo === "string" && (logo.startsWith("data:") || stockImage(logo))) {
        try {
          parsed.design.images = { "titleModule.image": await this.images.store(logo) };
        } catch (error) {
          throw new InvalidInput([`titleModule.image: ${(error as Error).message}`], "INVALID_IMAGE");
        }
      }
    }
    return { ...parsed, locationList };
  }

  /** Creates a template in a project, or (`"default"`) in the account's default project. */
  async create(accountId: number, project: ProjectKey | "default", body: unknown, externalId?: string) {
    const projectId = project === "default" ? project : await this.projects.findId(accountId, project);
    if (projectId === null) throw notFound("Project");
    const parsed = await this.parse(body);
    const templateId = await this.templates.create(
      accountId,
      projectId,
      {
        name: parsed.name,
        description: parsed.description,
        vendor: parsed.vendor,
        type: parsed.type,
        design: parsed.design,
      },
      externalId,
      parsed.locationList ?? [],
    );
    return { templateId };
  }

  async get(accountId: number, key: Key) {
    const template = await this.require(accountId, key);
    const design = designOf(template);
    const locations = await this.templates.locations(template.id);
    const fieldsModel = fieldsModelOf(template.vendor as Vendor, design);
    if (locations.length) fieldsModel.locations = locations.map((l) => ({ id: l.id, ...locationValue(l) }));
    if (design.personalization) fieldsModel.personalization = design.personalization;
    return {
      id: template.id,
      ...(template.externalId === null ? {} : { externalId: template.externalId }),
      fieldsModel,
      templateHeader: headerOf(template),
      createdAt: template.createdAt.toISOString(),
      updatedAt: template.updatedAt.toISOString(),
    };
  }

  async list(accountId: number, query: PaginationQuery) {
    const page = resolvePage(query, ["id", "name", "createdAt", "updatedAt"] as const, "id");
    const { count, rows } = await this.templates.list(accountId, page);
    return { count, pagination: paginationInfo(page), templateHeaders: rows.map(headerOf) };
  }

  /** Full replace: what the request omits is removed (personalization is kept: it has its own routes). */
  async replace(accountId: number, key: Key, body: unknown) {
    const template = await this.require(accountId, key);
    // A body without type or vendor keeps the template's (legacy clients send only what changes in the header).
    const parsed = await this.parse(body, { vendor: template.vendor as Vendor, type: template.type });
    if (parsed.vendor !== template.vendor) {
      throw new AppError("VENDOR_MISMATCH", `This is a ${template.vendor} template; it cannot become ${parsed.vendor}`);
    }
    const personalization = designOf(template).personalization;
    const design = personalization ? { ...parsed.design, personalization } : parsed.design;
    await this.templates.replace(
      template.id,
      { name: parsed.name, description: parsed.description, vendor: parsed.vendor, type: parsed.type, design },
      parsed.locationList,
    );
    return { templateId: template.id };
  }

  async delete(accountId: number, key: Key) {
    const id = await this.templates.delete(accountId, key);
    if (id === null) throw notFound("Template");
    return { status: "Deleted", TemplateID: id };
  }

  async duplicate(accountId: number, key: Key) {
    const template = await this.require(accountId, key);
    return { templateId: await this.templates.duplicate(template) };
  }

  async addLocations(accountId: number, key: Key, body: unknown) {
    const template = await this.require(accountId, key);
    const locations = locationsOf(locationsRequestOf(body));
    const existing = (await this.templates.locations(template.id)).length;
    if (existing + locations.length > MAX_LOCATIONS) {
      throw new InvalidInput([
        `templates hold at most ${MAX_LOCATIONS} locations (has ${existing}, adding ${locations.length})`,
      ]);
    }
    const created = await this.templates.addLocations(template.id, locations);
    return created.map((l) => ({ locationId: l.id, fieldId: l.id, value: locationValue(l) }));
  }

  async deleteLocation(accountId: number, key: Key, locationId: number) {
    const template = await this.require(accountId, key);
    if (!(await this.templates.deleteLocation(template.id, locationId))) throw notFound("Location");
    return { status: "deleted", locationId };
  }

  // Personalization (Apple loyalty templates) ------------------------------------------------------------------

  private async personalizable(accountId: number, key: Key) {
    const template = await this.require(accountId, key);
    const loyalty = ["loyalty", "memberCard"].includes(template.project.projectType) || template.type === "Store Card";
    if (!traitsOf(template.vendor).personalization || !loyalty) {
      throw new AppError(
        "PERSONALIZATION_UNSUPPORTED",
        "Personalization is available on Apple loyalty (store card) templates only",
      );
    }
    return template;
  }

  async getPersonalization(accountId: number, key: Key) {
    const template = await this.personalizable(accountId, key);
    const personalization = designOf(template).personalization;
    if (!personalization) throw notFound("Personalization requirements");
    return personalization;
  }

  async setPersonalization(accountId: number, key: Key, body: unknown) {
    const template = await this.personalizable(accountId, key);
    const personalization = parsePersonalization(body);
    await this.templates.setDesign(template.id, { ...designOf(template), personalization });
    return personalization;
  }

  async deletePersonalization(accountId: number, key: Key) {
    const template = await this.personalizable(accountId, key);
    const { personalization, ...rest } = designOf(template);
    if (!personalization) throw notFound("Personalization requirements");
    await this.templates.setDesign(template.id, rest);
    return personalization;
  }

  // Bulk update ------------------------------------------------------------------------------------------------

  /**
   * Publishes new values to every pass of the template: the template takes the values, and a job removes the
   * passes' own overrides of those values in batches, marking each pass changed once. Returns the ticket.
   */
  async publishBulkUpdate(accountId: number, key: Key, body: unknown) {
    const template = await this.require(accountId, key);
    const design = designOf(template);
    const input = (body ?? {}) as { fields?: unknown; headers?: unknown };
    if (typeof body !== "object" || body === null || (input.fields === undefined && input.headers === undefined)) {
      throw new InvalidInput(["Send the values to publish in fields (or headers)"]);
    }
    // Validate and place the names exactly as a pass update would.
    const patch = applyPassValues(design, {}, input);
    const next: TemplateDesign = {
      ...design,
      headers: { ...design.headers },
      fields: { ...design.fields },
    };
    for (const group of ["headers", "fields"] as const) {
      for (const [name, entry] of Object.entries(patch[group] ?? {})) {
        next[group][name] = { ...(next[group][name] ?? { fieldType: "topLevel" }), ...entry };
      }
    }
    const valuePaths = (["headers", "fields"] as const).flatMap((group) =>
      Object.entries(patch[group] ?? {}).flatMap(([name, entry]) =>
        (["value", "label", "changeMessage"] as const).filter((k) => k in entry).map((k) => [group, name, k]),
      ),
    );
    const ticketId = await this.tickets.startBulkUpdate(accountId, template.id, next, valuePaths);
    return { ticketId };
  }
}
