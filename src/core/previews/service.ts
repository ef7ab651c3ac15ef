// Pass previews: what a pass (or a template's pass with nothing of its own, or a template body not yet saved)
// looks like in Wallet or Google Wallet, drawn by previews/ from exactly what would be sent — Apple's pass.json
// and images, Google's class and object — as SVG, or PNG at 1–3×. Nothing is sent or stored. Answers are cached
// by the SVG's hash, and carry an ETag of their bytes.
import { createHash } from "node:crypto";
import type { ApplePassBuilder } from "../../apple/pass-builder.js";
import type { ApplePassRecord } from "../../apple/pass-record-store.js";
import { parseTemplateBody } from "../../domain/field-model.js";
import { isObject } from "../../domain/values.js";
import { traitsOf } from "../../domain/vendors.js";
import { notFound } from "../../errors.js";
import type { GoogleWallet } from "../../google/google-wallet.js";
import type { PassRecord, TemplateRecord } from "../../google/sync-store.js";
import type { ImageStore } from "../../images/image-store.js";
import { pngSize } from "../../images/png.js";
import { appleBack, appleFront } from "../../previews/apple-card.js";
import { googleCard, googleDetails } from "../../previews/google-card.js";
import { rasterize } from "../../previews/raster.js";
import type { Key } from "../ids.js";
import type { PassKey } from "../passes/service.js";

export interface PreviewOptions {
  side: "front" | "back";
  format: "png" | "svg";
  /** 1 to 3: the PNG's pixels per point. */
  scale: number;
}

export interface Preview {
  body: Buffer;
  contentType: "image/png" | "image/svg+xml";
  /** A strong ETag of the bytes. */
  etag: string;
}

/**
 * The largest image side a preview decodes: a stored image may be up to 10,000 px a side (400 MB of pixels);
 * Wallet shows none larger than a few hundred points, so a bigger one is left out of the preview instead.
 */
const MAX_IMAGE_SIDE = 2000;

/** Only PNGs a preview can afford to decode. */
const drawable = (png: Buffer | undefined): png is Buffer => {
  const size = png && pngSize(png);
  return !!size && size.width <= MAX_IMAGE_SIDE && size.height <= MAX_IMAGE_SIDE;
};

/** PNGs kept, by SVG hash and scale (a preview is a few tens of kilobytes). */
const CACHE_ENTRIES = 2000;

export interface PreviewDeps {
  readonly passes: { find(accountId: number, key: PassKey): Promise<{ id: number }> };
  readonly apple: Pick<ApplePassBuilder, "byId" | "specimen" | "built" | "identityOf" | "previewImages">;
  readonly google: Pick<GoogleWallet, "previewBodies" | "templateRecord" | "passRecord">;
  readonly images: Pick<ImageStore, "load">;
  readonly publicBaseUrl: string;
}

export class PreviewService {
  /** PNGs by the SVG's hash and scale. */
  private readonly cache = new Map<string, Buffer>();
  /** Answers by what they are drawn from (the records read, and the options): a repeated request draws nothing. */
  private readonly answers = new Map<string, Preview>();

  constructor(private readonly deps: PreviewDeps) {}

  /** The answer drawn from `source` with `options`: remembered, or drawn by `draw` and remembered. */
  private async remembered(source: unknown, options: PreviewOptions, draw: () => Promise<Preview>): Promise<Preview> {
    const key = createHash("sha256")
      .update(JSON.stringify([source, options]))
      .digest("base64url");
    const known = this.answers.get(key);
    if (known) {
      this.answers.delete(key);
      this.answers.set(key, known);
      return known;
    }
    const drawn = await draw();
    if (this.answers.size >= CACHE_ENTRIES) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(key, drawn);
    return drawn;
  }

  /** A pass as its holder sees it. */
  async pass(accountId: number, key: PassKey, options: PreviewOptions): Promise<Preview> {
    // By id, the record's own read is scoped to the account: one query, not two (the cached answer's cost).
    const id = "id" in key ? key.id : (await this.deps.passes.find(accountId, key)).id;
    const record = await this.deps.apple.byId(accountId, id);
    if (!record) throw notFound("Pass");
    if (traitsOf(record.vendor).passKit) return this.apple(record, options);
    const [pass, template] = await Promise.all([
      this.deps.google.passRecord(id),
      this.deps.google.templateRecord(record.templateId),
    ]);
    if (!pass || !template) throw notFound("Pass");
    return this.google(template, options, pass);
  }

  /** A pass of the template with nothing of its own (the template's defaults). */
  async template(accountId: number, key: Key, options: PreviewOptions): Promise<Preview> {
    const specimen = await this.deps.apple.specimen(accountId, key);
    if (!specimen) throw notFound("Template");
    if (traitsOf(specimen.vendor).passKit) return this.apple(specimen, options);
    const template = await this.deps.google.templateRecord(specimen.templateId);
    if (!template) throw notFound("Template");
    return this.google(template, options);
  }

  /**
   * What a visitor of an adaptive link would get: the link's pass when it has made one (a shared link), else a
   * pass of its template with the link's values (its flight's or event's, then its own). An Apple pass when the link
   * has an iOS template, else a Google one. Undefined when the link has no template.
   */
  async link(link: {
    accountId: number;
    iosTemplateId: number | null;
    androidTemplateId: number | null;
    iosPassId: number | null;
    androidPassId: number | null;
    payload: Record<string, unknown>;
    groupFields?: Record<string, unknown> | null;
  }): Promise<Preview | undefined> {
    const options: PreviewOptions = { side: "front", format: "png", scale: 1 };
    const passId = link.iosTemplateId !== null ? link.iosPassId : link.androidPassId;
    if (passId !== null) return this.pass(link.accountId, { id: passId }, options);
    const templateId = link.iosTemplateId ?? link.androidTemplateId;
    if (templateId === null) return undefined;
    const specimen = await this.deps.apple.specimen(link.accountId, { id: templateId });
    if (!specimen) return undefined;
    const entries = (value: unknown) => (isObject(value) ? (value as Record<string, unknown>) : {});
    const values = (raw: Record<string, unknown>) =>
      Object.fromEntries(Object.entries(raw).map(([name, v]) => [name, isObject(v) ? v : { value: v }]));
    const overrides = {
      fields: values({ ...entries(link.groupFields), ...entries(link.payload.fields) }),
      headers: values(entries(link.payload.headers)),
    } as ApplePassRecord["overrides"];
    if (traitsOf(specimen.vendor).passKit) return this.apple({ ...specimen, overrides }, options);
    const template = await this.deps.google.templateRecord(templateId);
    if (!template) return undefined;
    return this.google(template, options, {
      id: 0,
      templateId,
      serialNumber: "preview",
      overrides,
      locations: [],
      messages: [],
      linkedSerials: [],
      group: null,
    });
  }

  /**
   * A template body not saved (live editing): validated as a create would be (400 naming every problem), drawn
   * with the images it carries as data: URIs; images it names by URL are not fetched for a preview.
   */
  async unsaved(accountId: number, body: unknown, options: PreviewOptions): Promise<Preview> {
    const parsed = parseTemplateBody(body);
    const raw = isObject(body) ? body : {};
    const projectType = typeof raw.projectType === "string" ? raw.projectType : "";
    if (traitsOf(parsed.vendor).passKit) {
      const record: ApplePassRecord = {
        id: 0,
        accountId,
        serialNumber: "preview",
        authenticationToken: "",
        overrides: {},
        beacons: null,
        images: {},
        personalization: null,
        version: 1,
        status: "not_been_installed",
        updatedAt: new Date(0),
        publicUrlType: null,
        publicUrlUsed: false,
        templateId: 0,
        templateType: parsed.type,
        templateName: parsed.name,
        templateDescription: parsed.description,
        vendor: parsed.vendor,
        design: parsed.design,
        projectId: 0,
        projectName: parsed.name,
        projectType,
        projectSettings: {},
        nfcPublicKeyPem: null,
        locations: [],
        linkFields: null,
        linkSemantics: null,
      };
      return this.apple(record, options, inlineImages(parsed.design.headers));
    }
    const template: TemplateRecord = {
      id: 0,
      name: parsed.name,
      type: parsed.type,
      vendor: parsed.vendor,
      design: parsed.design,
      projectId: 0,
      projectName: parsed.name,
      projectType,
      projectSettings: {},
      contextId: "preview",
      locations: [],
    };
    return this.google(template, options);
  }

  private apple(record: ApplePassRecord, options: PreviewOptions, inline?: Record<string, Buffer>): Promise<Preview> {
    // The record holds everything drawn (images by hash); inline images are named by their hash too.
    const inlineHashes =
      inline &&
      Object.fromEntries(Object.entries(inline).map(([n, b]) => [n, createHash("sha256").update(b).digest("hex")]));
    return this.remembered({ apple: record, inlineHashes }, options, () => this.drawApple(record, options, inline));
  }

  private async drawApple(
    record: ApplePassRecord,
    options: PreviewOptions,
    inline?: Record<string, Buffer>,
  ): Promise<Preview> {
    const { passJson } = this.deps.apple.built(record, await this.deps.apple.identityOf(record));
    if (options.side === "back") return this.answer(appleBack(passJson), options);
    const images = Object.fromEntries(
      Object.entries(inline ?? (await this.deps.apple.previewImages(record))).filter(([, png]) => drawable(png)),
    );
    return this.answer(appleFront(passJson, images), options);
  }

  private google(template: TemplateRecord, options: PreviewOptions, pass?: PassRecord): Promise<Preview> {
    // A rotating barcode's key is drawn as nothing but its type: leave it out of the key (and so of memory's keys).
    const { totp: _key, ...drawn } = pass ?? ({} as Partial<PassRecord>);
    return this.remembered({ google: template, pass: drawn }, options, () => this.drawGoogle(template, options, pass));
  }

  private async drawGoogle(template: TemplateRecord, options: PreviewOptions, pass?: PassRecord): Promise<Preview> {
    const { klass, object } = await this.deps.google.previewBodies(template, pass);
    const k = klass as Record<string, unknown>;
    const o = object as Record<string, unknown>;
    if (options.side === "back") return this.answer(googleDetails(k, o), options);
    const logo = await this.storedImage(k.programLogo ?? k.logo ?? k.titleImage);
    const hero = await this.storedImage(o.heroImage ?? k.heroImage);
    return this.answer(googleCard(k, o, { ...(logo ? { logo } : {}), ...(hero ? { hero } : {}) }), options);
  }

  /** The PNG behind an image URL this server serves (never an outside URL: a preview fetches nothing). */
  private async storedImage(image: unknown): Promise<Buffer | undefined> {
    const uri = (image as { sourceUri?: { uri?: unknown } } | undefined)?.sourceUri?.uri;
    const prefix = `${this.deps.publicBaseUrl}/images/`;
    if (typeof uri !== "string" || !uri.startsWith(prefix)) return undefined;
    const hash = uri.slice(prefix.length).replace(/\.png$/, "");
    if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
    const png = (await this.deps.images.load([hash])).get(hash);
    return drawable(png) ? png : undefined;
  }

  private answer(svg: string, options: PreviewOptions): Preview {
    if (options.format === "svg") {
      const body = Buffer.from(svg);
      return { body, contentType: "image/svg+xml", etag: etagOf(body) };
    }
    const key = `${createHash("sha256").update(svg).digest("base64url")}@${options.scale}`;
    let body = this.cache.get(key);
    if (body) {
      this.cache.delete(key); // most recently used goes last
    } else {
      body = rasterize(svg, options.scale);
      if (this.cache.size >= CACHE_ENTRIES) this.cache.delete(this.cache.keys().next().value as string);
    }
    this.cache.set(key, body);
    return { body, contentType: "image/png", etag: etagOf(body) };
  }
}

const etagOf = (body: Buffer) => `"${createHash("sha256").update(body).digest("base64url").slice(0, 32)}"`;

/** The images a template body carries as data: URIs (PNG), by bundle name; anything else is left out. */
function inlineImages(headers: Record<string, { value?: unknown }>): Record<string, Buffer> {
  const names: Record<string, string> = {
    logo_image: "logo",
    strip_image: "strip",
    thumbnail_image: "thumbnail",
    background_image: "background",
    footer_image: "footer",
  };
  const images: Record<string, Buffer> = {};
  for (const [header, name] of Object.entries(names)) {
    const value = headers[header]?.value;
    const match = typeof value === "string" ? /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(value) : null;
    if (!match) continue;
    images[name] = Buffer.from(match[1]!, "base64");
  }
  return images;
}
