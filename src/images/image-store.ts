// Images of templates and passes. Image headers carry URLs (or data: URIs); they are fetched once, when the
// template or pass is saved, checked to be PNG, and stored in Postgres by content hash. Building a pass then
// reads bytes from the store (and a memory cache), never from the network.
import { createHash } from "node:crypto";
import type pg from "pg";
import { type Clock, systemClock } from "../clock.js";
import type { FieldSpec } from "../domain/field-spec.js";
import { InvalidInput } from "../domain/invalid-input.js";
import { OutboundError, type OutboundGuard } from "../outbound/guard.js";
import { defaultIcon, defaultLogo } from "./defaults.js";
import { ImageRepository } from "./image-repository.js";
import { pngSize } from "./png.js";

/** Airship image headers and the bundle file each becomes. */
export const IMAGE_HEADERS: Record<string, string> = {
  icon_image: "icon",
  logo_image: "logo",
  strip_image: "strip",
  thumbnail_image: "thumbnail",
  background_image: "background",
  footer_image: "footer",
  // A poster event ticket's (iOS 18).
  artwork_image: "artwork",
  primary_logo_image: "primaryLogo",
  secondary_logo_image: "secondaryLogo",
};

export interface StoredImage {
  sha256: string;
  data: Buffer;
}

/**
 * Airship's own stock images (its default icon and logo, its favicon) are Airship-hosted: templates moved from
 * Airship still name them, so they resolve to our built-in images instead of being fetched.
 */
export function stockImage(url: string): Buffer | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const stock =
    (parsed.hostname === "s3.amazonaws.com" && parsed.pathname.startsWith("/passtools_prod/1/images/default-pass-")) ||
    (parsed.hostname === "wallet.urbanairship.com" && parsed.pathname.startsWith("/assets/"));
  if (!stock) return undefined;
  return parsed.pathname.includes("logo") ? BUILT_IN.logo.data : BUILT_IN.icon.data;
}

const stored = (data: Buffer): StoredImage => ({ sha256: createHash("sha256").update(data).digest("hex"), data });

/** The built-in images, drawn once at start. */
export const BUILT_IN = {
  icon: stored(defaultIcon(29)),
  icon2x: stored(defaultIcon(58)),
  icon3x: stored(defaultIcon(87)),
  logo: stored(defaultLogo(50)),
  logo2x: stored(defaultLogo(100)),
};

/** Built-in images live in memory only: never evicted, never in the table (so never garbage-collected). */
const BUILT_IN_BY_HASH = new Map(Object.values(BUILT_IN).map((image) => [image.sha256, image.data]));

export interface ImageStoreOptions {
  /** Every image URL is fetched through it. */
  guard: OutboundGuard;
  fetchTimeoutMs?: number;
  maxBytes?: number;
  /** How long a fetched URL's image is reused (default the system's). */
  clock?: Clock;
}

export class ImageStore {
  private readonly cache = new Map<string, Buffer>();
  private readonly urlCache = new Map<string, { sha256: string; at: number }>();
  private readonly fetchTimeoutMs: number;
  private readonly maxBytes: number;
  private readonly guard: OutboundGuard;
  private readonly clock: Clock;

  private readonly repository: ImageRepository;

  constructor(pool: pg.Pool, options: ImageStoreOptions) {
    this.repository = new ImageRepository(pool);
    this.guard = options.guard;
    this.clock = options.clock ?? systemClock;
    this.fetchTimeoutMs = options.fetchTimeoutMs ?? 10_000;
    this.maxBytes = options.maxBytes ?? 2 * 1024 * 1024;
  }

  /**
   * Fetches, validates and stores every image header with a value; returns header → sha256. Throws
   * InvalidInput naming each header whose image is unreachable, too large or not a PNG.
   */
  async resolve(headers: Record<string, FieldSpec | { value?: unknown }> | undefined): Promise<Record<string, string>> {
    const result: Record<string, string> = {};
    const problems: string[] = [];
    await Promise.all(
      Object.entries(headers ?? {}).map(async ([name, spec]) => {
        if (!(name in IMAGE_HEADERS)) return;
        const value = spec?.value;
        if (typeof value !== "string" || value.trim() === "") return;
        try {
          result[name] = await this.store(value.trim());
        } catch (error) {
          problems.push(`header "${name}": ${(error as Error).message}`);
        }
      }),
    );
    if (problems.length) throw new InvalidInput(problems.sort(), "INVALID_IMAGE");
    return result;
  }

  /**
   * Hosts the images of a pass's upcoming events (iOS 26's upcomingPassInformation): each one a request gives by
   * URL is fetched (through the outbound guard, as header images are), stored, and kept as its sha256 and size —
   * pass.json then names our URL and the hash of bytes we hold, never a hash a caller chose.
   */
  async hostUpcoming(headers: Record<string, { value?: unknown }> | undefined): Promise<void> {
    const entries = headers?.upcomingPassInformation?.value;
    if (!Array.isArray(entries)) return;
    const problems: string[] = [];
    for (const [i, entry] of entries.entries()) {
      const images = (entry as { images?: Record<string, { url?: unknown }> }).images;
      for (const [name, image] of Object.entries(images ?? {})) {
        if (typeof image?.url !== "string") {
          // Given by hash (as a GET answered it): only an image stored here, never a hash a caller made up.
          const hashes = ((image as { urls?: Array<{ sha256?: string }> })?.urls ?? []).map((u) => String(u.sha256));
          const stored = await this.load(hashes).catch(() => new Map<string, Buffer>());
          if (hashes.some((h) => !stored.has(h))) {
            problems.push(
              `header "upcomingPassInformation"[${i}].images.${name}: no image stored here has that sha256`,
            );
          }
          continue;
        }
        try {
          const sha256 = await this.store(image.url);
          const size = (await this.load([sha256])).get(sha256)?.length;
          images![name] = { urls: [{ sha256, scale: 1, ...(size ? { size } : {}) }] } as never;
        } catch (error) {
          problems.push(`header "upcomingPassInformation"[${i}].images.${name}: ${(error as Error).message}`);
        }
      }
    }
    if (problems.length) throw new InvalidInput(problems, "INVALID_IMAGE");
  }

  /** Fetches (or decodes) one image, checks it is PNG and stores it; returns its sha256. */
  async store(source: string): Promise<string> {
    const recent = this.urlCache.get(source);
    if (recent && this.clock.now() - recent.at < 300_000) return recent.sha256;
    const data = source.startsWith("data:")
      ? decodeDataUri(source)
      : (stockImage(source) ?? (await this.fetch(source)));
    const size = pngSize(data);
    if (!size) throw new Error(`the image at ${describe(source)} is not a PNG`);
    const image = stored(data);
    await this.repository.save(image.sha256, data, size);
    this.remember(image.sha256, data);
    if (!source.startsWith("data:")) this.urlCache.set(source, { sha256: image.sha256, at: this.clock.now() });
    return image.sha256;
  }

  private async fetch(url: string): Promise<Buffer> {
    if (!/^https?:\/\//i.test(url)) throw new Error("must be an https URL or a data:image/png URI");
    try {
      const response = await this.guard.fetch(url, { timeoutMs: this.fetchTimeoutMs, maxBytes: this.maxBytes });
      if (response.status !== 200) throw new OutboundError("status");
      return response.body;
    } catch (error) {
      // One message for every failure: the caller learns nothing of the network behind the server.
      const message = error instanceof OutboundError ? error.message : "could not be fetched";
      throw new Error(`the image at ${describe(url)} ${message}`);
    }
  }

  private remember(sha256: string, data: Buffer) {
    if (this.cache.size >= 2000) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(sha256, data);
  }

  /** The bytes of stored images (memory first, then one query for the rest). */
  async load(hashes: string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const hash of hashes) {
      const data = BUILT_IN_BY_HASH.get(hash) ?? this.cache.get(hash);
      if (data) found.set(hash, data);
      else missing.push(hash);
    }
    if (missing.length) {
      for (const row of await this.repository.load(missing)) {
        found.set(row.sha256, row.data);
        this.remember(row.sha256, row.data);
      }
    }
    return found;
  }
}

function decodeDataUri(uri: string): Buffer {
  const match = /^data:image\/png(;[^,]*)?,(.*)$/is.exec(uri);
  if (!match) throw new Error("a data: URI must be data:image/png;base64,…");
  return (match[1] ?? "").includes("base64")
    ? Buffer.from(match[2]!, "base64")
    : Buffer.from(decodeURIComponent(match[2]!), "latin1");
}

/** A URL for messages: no query string (it may carry tokens). */
function describe(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "the given URL";
  }
}
