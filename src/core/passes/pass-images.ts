// The images a pass create/update names (Apple passes only: Google shows images by URL): fetched and stored through
// the image store, and merged into the pass's own image set.
import { isObject } from "../../domain/values.js";
import { traitsOf } from "../../domain/vendors.js";
import { IMAGE_HEADERS, type ImageStore } from "../../images/image-store.js";
import type { PassTemplate } from "../templates/repository.js";
import type { PassChanges } from "./repository.js";

/** Image header → stored hash, or undefined for a header the request clears. */
export type NamedImages = Record<string, string | undefined>;

/** `current` with the images a request named set (a hash) or cleared (undefined); undefined when it named none. */
export function withImages(
  current: Record<string, string>,
  named: NamedImages | undefined,
): Record<string, string> | undefined {
  if (named === undefined) return undefined;
  const next = { ...current };
  for (const [name, hash] of Object.entries(named)) {
    if (hash) next[name] = hash;
    else delete next[name];
  }
  return next;
}

export class PassImages {
  constructor(private readonly images: Pick<ImageStore, "resolve" | "hostUpcoming">) {}

  /**
   * Hosts the images of the upcoming events a create/update names (after its values were checked): the request's
   * `upcomingPassInformation` then holds the hashes of the stored images.
   */
  async hostUpcoming(body: unknown): Promise<void> {
    const headers = (body as { headers?: Record<string, { value?: unknown }> } | undefined)?.headers;
    if (headers && typeof headers === "object") await this.images.hostUpcoming(headers);
  }

  /** Whether a create/update names upcoming events (only then are their images fetched, and its values checked first). */
  namesUpcoming(body: unknown): boolean {
    const headers = (body as { headers?: unknown } | undefined)?.headers;
    return typeof headers === "object" && headers !== null && "upcomingPassInformation" in headers;
  }

  /** The images a create/update names, fetched and stored; undefined when the request names none. */
  async named(template: PassTemplate, body: unknown, changes: PassChanges): Promise<NamedImages | undefined> {
    if (!traitsOf(template.vendor).imagesInPass || !changes.overrides || !isObject(body)) return undefined;
    const named = [body.headers, body.fields]
      .flatMap((group) => (isObject(group) ? Object.keys(group) : []))
      .filter((name) => name in IMAGE_HEADERS);
    if (named.length === 0) return undefined;
    const requested = Object.fromEntries(named.map((name) => [name, changes.overrides?.headers?.[name] ?? {}]));
    const resolved = await this.images.resolve(requested);
    return Object.fromEntries(named.map((name) => [name, resolved[name]]));
  }

  /** The pass's images after a create/update: `current` with the named ones set or cleared. */
  async after(
    template: PassTemplate,
    body: unknown,
    changes: PassChanges,
    current: Record<string, string>,
  ): Promise<Record<string, string> | undefined> {
    return withImages(current, await this.named(template, body, changes));
  }
}
