// Handing a visitor the pass an adaptive link stands for: the device (from the path or the User-Agent) picks the
// template; query parameters fill the pass (barcode, barcodeAltText, tags, exid, lat/long for the nearest
// locations, and any of the link's field names). A non-personalized link without field parameters hands out the
// one pass it made first; otherwise each request makes a new pass, taken atomically from availablePasses.
import type { ApplePassBuilder } from "../../apple/pass-builder.js";
import { zip, zipEntry } from "../../apple/zip.js";
import type { Clock } from "../../clock.js";
import { designOf } from "../../domain/field-model.js";
import { InvalidInput } from "../../domain/invalid-input.js";
import { takesValue } from "../../domain/known-headers.js";
import { asValueEntries } from "../../domain/pass-values.js";
import { hexColor, isObject, MAX_TAGS_PER_PASS } from "../../domain/values.js";
import { AppError, notFound } from "../../errors.js";
import type { GoogleWallet } from "../../google/google-wallet.js";
import { BUILT_IN, IMAGE_HEADERS, type ImageStore } from "../../images/image-store.js";
import type { PassService } from "../passes/service.js";
import type { PreviewService } from "../previews/service.js";
import type { Device } from "./devices.js";
import type { LandingPage } from "./landing-page.js";
import { httpUrl } from "./link-body.js";
import { nearestLocations } from "./nearest.js";
import type { LinkRepository, LinkRow } from "./repository.js";

export type Outcome =
  | { kind: "pkpass"; body: Buffer }
  | { kind: "pkpasses"; body: Buffer }
  | { kind: "redirect"; location: string }
  | { kind: "landing"; status: number; page: LandingPage };

/** The `tags` parameter: `~`-separated, at most MAX_TAGS_PER_PASS (a 400 beyond, never silently cut). */
function tagsOf(text: string): string[] {
  const tags = [
    ...new Set(
      text
        .split("~")
        .map((t) => t.trim())
        .filter((t) => t !== ""),
    ),
  ];
  if (tags.length > MAX_TAGS_PER_PASS) {
    throw new InvalidInput([`the tags parameter names at most ${MAX_TAGS_PER_PASS} tags (got ${tags.length})`]);
  }
  return tags;
}

/** Links one multi-pass request may name. */
export const MAX_MULTI_PASS_LINKS = 10;
const LINK_ID = /^[A-Za-z0-9_-]{1,64}$/;

const RESERVED = new Set(["barcode", "barcodeAltText", "tags", "exid", "lat", "long"]);

interface TemplateDesignRow {
  id: number;
  vendor: string;
  name: string;
  design: unknown;
  projectName: string;
}

export class PassFromLink {
  constructor(
    private readonly deps: {
      links: LinkRepository;
      passes: PassService;
      apple: ApplePassBuilder;
      google: GoogleWallet;
      images: ImageStore;
      publicBaseUrl: string;
      clock: Clock;
      /** Draws the pass a visitor would get, for the landing page. */
      previews?: Pick<PreviewService, "link">;
    },
  ) {}

  private template(id: number): Promise<TemplateDesignRow | undefined> {
    return this.deps.links.templateDesign(id);
  }

  /** The landing page of a link: its program's look, and the device URLs. */
  async landing(link: LinkRow, notice?: string): Promise<LandingPage> {
    const templateId = link.iosTemplateId ?? link.androidTemplateId;
    const template = templateId === null ? undefined : await this.template(templateId);
    const design = template ? designOf(template) : undefined;
    const headers = design?.headers ?? {};
    const titleField = Object.values(design?.fields ?? {}).find((f) => f.fieldType === "titleModule");
    const title = String(headers.logo_text?.value || titleField?.value || template?.projectName || "Your pass");
    const logoHash = design?.images?.logo_image ?? design?.images?.["titleModule.image"];
    const logo = logoHash ? (await this.deps.images.load([logoHash])).get(logoHash) : undefined;
    const url = `${this.deps.publicBaseUrl}/v1/pass/adaptive/${link.id}`;
    const preview = notice ? undefined : await this.previewOf(link);
    return {
      title,
      ...(preview ? { previewPng: preview } : {}),
      background:
        hexColor(headers.background_color?.value ?? design?.modules.infoModuleData?.hexBackgroundColor) ?? "#1f2937",
      foreground: hexColor(headers.foreground_color?.value) ?? "#ffffff",
      logoPng: logo ?? BUILT_IN.logo2x.data,
      url,
      ...(link.iosTemplateId !== null ? { iosUrl: `${url}/ios` } : {}),
      ...(link.androidTemplateId !== null ? { androidUrl: `${url}/android` } : {}),
      ...(notice ? { notice } : {}),
    };
  }

  /** The preview of the pass the visitor would get; none (the page still works) when it cannot be drawn. */
  private async previewOf(link: LinkRow): Promise<Buffer | undefined> {
    if (!this.deps.previews) return undefined;
    try {
      const preview = await this.deps.previews.link({ ...link, groupFields: link.flightFields ?? link.eventFields });
      return preview?.body;
    } catch {
      return undefined;
    }
  }

  async handle(linkId: string, device: Device, query: Record<string, string>): Promise<Outcome> {
    const link = await this.deps.links.byId(linkId);
    if (!link) throw notFound("Adaptive link");
    const expired = link.expirationDate !== null && link.expirationDate.getTime() <= this.deps.clock.now();
    if (expired) {
      if (device === "web")
        return { kind: "landing", status: 410, page: await this.landing(link, "This link has expired.") };
      throw new AppError("LINK_EXPIRED", "This adaptive link has expired");
    }
    const templateId = device === "ios" ? link.iosTemplateId : device === "android" ? link.androidTemplateId : null;
    if (templateId === null) {
      // Links stored before landing URLs were normalized may hold raw non-ASCII text: never put that in a header.
      const landing = link.landingPageUrl ? httpUrl(link.landingPageUrl) : undefined;
      if (landing) return { kind: "redirect", location: landing };
      return { kind: "landing", status: 200, page: await this.landing(link) };
    }
    const passId = await this.passOf(link, templateId, device as "ios" | "android", this.parameters(link, query));
    if (passId === undefined) {
      if (device === "web")
        return {
          kind: "landing",
          status: 410,
          page: await this.landing(link, "All passes of this link have been handed out."),
        };
      throw new AppError("LINK_EXHAUSTED", "This adaptive link has no passes left");
    }
    if (device === "android") return { kind: "redirect", location: await this.deps.google.saveUrl(passId) };
    const record = await this.deps.apple.byId(null, passId);
    if (!record) throw notFound("Pass");
    return { kind: "pkpass", body: await this.deps.apple.bundle(record) };
  }

  /** The pass a visit to the link gets on this platform (the shared one, or a new one); undefined when none is left. */
  private async passOf(
    link: LinkRow,
    templateId: number,
    device: "ios" | "android",
    params: ReturnType<PassFromLink["parameters"]>,
  ): Promise<number | undefined> {
    const personalized = link.isPersonalized || params.personalizing;
    const shared = personalized ? undefined : ((device === "ios" ? link.iosPassId : link.androidPassId) ?? undefined);
    if (shared !== undefined) return shared;
    return personalized
      ? this.newPass(link, templateId, params, device)
      : this.sharedPass(link, templateId, params, device);
  }

  /**
   * A multi-pass link (`?ids=a,b,…`, at most ${MAX_MULTI_PASS_LINKS}): each link's pass as a plain visit gets it —
   * an iPhone one .pkpasses bundle, an Android phone one save link carrying every object, a browser the landing
   * page. Every link must exist, be unexpired, have a template for the device and a pass left; each spends its own.
   */
  async handleMany(idList: string, device: Device): Promise<Outcome> {
    const ids = [...new Set(idList.split(",").map((id) => id.trim()))].filter((id) => id !== "");
    if (ids.length === 0 || ids.length > MAX_MULTI_PASS_LINKS || ids.some((id) => !LINK_ID.test(id))) {
      throw new InvalidInput([`ids must name 1 to ${MAX_MULTI_PASS_LINKS} adaptive link ids, comma-separated`]);
    }
    const links = await Promise.all(ids.map((id) => this.deps.links.byId(id)));
    const missing = ids.filter((_, i) => !links[i]);
    if (missing.length) throw notFound("Adaptive link", `Adaptive link ${missing.join(", ")}`);
    const found = links as LinkRow[];
    const expired = found.filter(
      (l) => l.expirationDate !== null && l.expirationDate.getTime() <= this.deps.clock.now(),
    );
    const url = `${this.deps.publicBaseUrl}/v1/pass/adaptive?ids=${ids.join(",")}`;
    const page = async (notice?: string) => ({
      ...(await this.landing(found[0]!, notice)),
      url,
      iosUrl: `${url}&device=ios`,
      androidUrl: `${url}&device=android`,
    });
    if (expired.length) {
      const names = expired.map((l) => l.id).join(", ");
      if (device === "web")
        return { kind: "landing", status: 410, page: await page(`These links have expired: ${names}.`) };
      throw new AppError("LINK_EXPIRED", `These adaptive links have expired: ${names}`, {
        expired: expired.map((l) => l.id),
      });
    }
    if (device === "web") return { kind: "landing", status: 200, page: await page() };
    const templateIds = found.map((l) => (device === "ios" ? l.iosTemplateId : l.androidTemplateId));
    const without = found.filter((_, i) => templateIds[i] === null).map((l) => l.id);
    if (without.length) {
      throw new AppError(
        "LINK_REFUSED",
        `These adaptive links have no ${device === "ios" ? "Apple" : "Google"} template: ${without.join(", ")}`,
        { links: without },
      );
    }
    const params = this.parameters(found[0]!, {});
    const passIds: number[] = [];
    for (const [i, link] of found.entries()) {
      const passId = await this.passOf(link, templateIds[i]!, device, params);
      if (passId === undefined) {
        throw new AppError("LINK_EXHAUSTED", `Adaptive link ${link.id} has no passes left`, { link: link.id });
      }
      passIds.push(passId);
    }
    if (device === "android") {
      const location = await this.deps.google.saveUrlMany(passIds);
      if (!location) {
        throw new AppError(
          "LINK_REFUSED",
          "These links' Google passes have different issuers: one save link cannot carry them",
        );
      }
      return { kind: "redirect", location };
    }
    const entries = [];
    for (const [i, passId] of passIds.entries()) {
      const record = await this.deps.apple.byId(null, passId);
      if (!record) throw notFound("Pass");
      entries.push(zipEntry(`${i + 1}-${ids[i]}.pkpass`, await this.deps.apple.bundle(record)));
    }
    return { kind: "pkpasses", body: zip(entries) };
  }

  private parameters(link: LinkRow, query: Record<string, string>) {
    const decode = (value: string) => {
      if (link.parameterEncoding !== "base64") return value;
      const decoded = Buffer.from(value, "base64").toString("utf8");
      if (Buffer.from(decoded, "utf8").toString("base64").replace(/=+$/, "") !== value.replace(/=+$/, "")) {
        throw new InvalidInput([
          `query parameter value "${value}" is not base64, as this link's parameterEncoding requires`,
        ]);
      }
      return decoded;
    };
    const fields: Record<string, { value: string }> = {};
    for (const [name, value] of Object.entries(query)) {
      if (!RESERVED.has(name) && name.length <= 255) fields[name] = { value: decode(value) };
    }
    const lat = query.lat === undefined ? undefined : Number(query.lat);
    const long = query.long === undefined ? undefined : Number(query.long);
    const from =
      lat !== undefined &&
      long !== undefined &&
      Number.isFinite(lat) &&
      Number.isFinite(long) &&
      Math.abs(lat) <= 90 &&
      Math.abs(long) <= 180
        ? { latitude: lat, longitude: long }
        : undefined;
    const barcode = query.barcode === undefined ? undefined : decode(query.barcode);
    return {
      fields,
      barcode,
      barcodeAltText: query.barcodeAltText === undefined ? barcode : decode(query.barcodeAltText),
      tags: query.tags ? tagsOf(query.tags) : undefined,
      exid: query.exid,
      from,
      personalizing:
        Object.keys(fields).length > 0 || barcode !== undefined || query.exid !== undefined || query.tags !== undefined,
    };
  }

  /** A new pass; undefined when the link has none left. */
  private async newPass(
    link: LinkRow,
    templateId: number,
    params: ReturnType<PassFromLink["parameters"]>,
    device: Device,
  ) {
    if (!(await this.deps.links.takePass(link.id))) return undefined;
    try {
      return await this.create(link, templateId, params, device);
    } catch (error) {
      await this.deps.links.returnPass(link.id);
      throw error;
    }
  }

  /**
   * The one pass a non-personalized link hands out on this platform, made by the first request. Concurrent first
   * requests may each make one: the first stored wins, the others are removed and their allowance returned (no
   * lock is held while passes are made, so a burst cannot exhaust the connection pool).
   */
  private async sharedPass(
    link: LinkRow,
    templateId: number,
    params: ReturnType<PassFromLink["parameters"]>,
    device: "ios" | "android",
  ) {
    const passId = await this.newPass(link, templateId, params, device);
    if (passId === undefined) return undefined;
    const winner = await this.deps.links.setSharedPass(link.id, device, passId);
    if (winner !== passId) {
      await this.deps.links.deletePass(passId);
      await this.deps.links.returnPass(link.id);
    }
    return winner;
  }

  private async create(
    link: LinkRow,
    templateId: number,
    params: ReturnType<PassFromLink["parameters"]>,
    device: Device,
  ) {
    const template = await this.template(templateId);
    if (!template) throw notFound("Template");
    const design = designOf(template);
    const payload = link.payload;
    const entries = (value: unknown) => (isObject(value) ? (value as Record<string, unknown>) : {});
    const known = (name: string) => takesValue(design, name);
    // A link serves two templates: each pass takes the names its own template has.
    const pick = (values: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(values).filter(([name]) => known(name)));
    // Anonymous visitors fill only the template's own fields (never headers such as organizationName, images
    // or colours: the pass is signed with the merchant's certificate).
    const visitorFields = Object.fromEntries(
      Object.entries(params.fields).filter(([name]) => Object.hasOwn(design.fields, name) && !(name in IMAGE_HEADERS)),
    );
    const fields = pick({
      ...asValueEntries(entries(link.flightFields ?? link.eventFields)),
      ...asValueEntries(entries(payload.fields)),
      ...visitorFields,
    });
    const headers = pick({
      ...entries(payload.headers),
      ...(params.barcode !== undefined ? { barcode_value: { value: params.barcode } } : {}),
      ...(params.barcodeAltText !== undefined ? { barcodeAltText: { value: params.barcodeAltText } } : {}),
    });
    const locations = nearestLocations(link.locations, params.from, {
      radiusMiles: link.locationRadius,
      max: link.maxResultLocations,
    });
    const created = await this.deps.passes
      .create(
        link.accountId,
        { id: templateId },
        {
          fields,
          headers,
          ...(locations.length ? { locations } : {}),
          ...(params.tags ? { tags: params.tags } : {}),
          ...(Array.isArray(payload.beacons) && device === "ios" ? { beacons: payload.beacons } : {}),
        },
        params.exid,
        undefined,
        { adaptiveLinkId: link.id },
      )
      .catch((error: unknown) => {
        // Whether an external id is taken is none of an anonymous visitor's business.
        if (error instanceof AppError && error.status === 409) {
          throw new AppError("LINK_REFUSED", "This link cannot issue a pass with these parameters");
        }
        throw error;
      });
    return created.id;
  }
}
