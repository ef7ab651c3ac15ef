// The rules of tags as Airship clients use them: adding tags to a pass (never more than 15), listing them as
// objects, taking a tag off one pass, off every pass, or deleting it, and updating every pass carrying a tag.
import { InvalidInput } from "../../domain/invalid-input.js";
import { valueGroupsOf } from "../../domain/pass-values.js";
import { isObject, MAX_TAGS_PER_PASS, parseTags } from "../../domain/values.js";
import { notFound } from "../../errors.js";
import { type PaginationQuery, paginationInfo, resolvePage } from "../pagination.js";
import type { PassKey, PassService } from "../passes/service.js";
import { TAG_ORDERS, type TagRepository } from "./repository.js";

export class TagService {
  constructor(
    private readonly tags: TagRepository,
    private readonly passes: Pick<PassService, "find" | "patchFor">,
  ) {}

  /** GET /tag: a page of the account's tags (by id, name or createdAt), as every list pages. */
  async list(accountId: number, query: PaginationQuery) {
    const page = resolvePage(query, TAG_ORDERS, "id");
    const { count, rows } = await this.tags.list(accountId, page);
    return {
      count,
      pagination: paginationInfo(page),
      tags: rows.map((t) => ({ id: t.id, name: t.name, passCount: t.passCount, createdAt: t.createdAt.toISOString() })),
    };
  }

  async ofPass(accountId: number, key: PassKey) {
    const pass = await this.passes.find(accountId, key);
    const tags = await this.tags.ofPass(pass.id);
    return { tags: tags.map((t) => ({ id: t.id, tag: t.name, name: t.name, createdAt: t.createdAt.toISOString() })) };
  }

  /** PUT /pass/{id}/tags: adds the tags (`{"tags": […]}` or a bare array); answers the ones that were new. */
  async addToPass(accountId: number, key: PassKey, body: unknown) {
    const names = parseTags(isObject(body) ? body.tags : body);
    const pass = await this.passes.find(accountId, key);
    const result = await this.tags.addToPass(accountId, pass.id, names, MAX_TAGS_PER_PASS);
    if ("full" in result) {
      throw new InvalidInput([
        `a pass carries at most ${MAX_TAGS_PER_PASS} tags; this one has ${result.full}, and the new ones would exceed that`,
      ]);
    }
    // As Airship answers it: the tags the pass did not carry yet, and how many that is.
    return { newTags: result.added, mappings: result.added.length };
  }

  /** PUT /tag/{tag}/pass/{id}: the one tag added to the pass. */
  async tagPass(accountId: number, tag: string, key: PassKey) {
    const [name] = parseTags([tag]);
    const pass = await this.passes.find(accountId, key);
    const result = await this.tags.addToPass(accountId, pass.id, [name!], MAX_TAGS_PER_PASS);
    if ("full" in result) {
      throw new InvalidInput([`a pass carries at most ${MAX_TAGS_PER_PASS} tags; this one has ${result.full}`]);
    }
    const added = await this.tags.find(accountId, name!);
    return { status: "success" as const, success: "success" as const, tag: name!, passId: pass.id, tagId: added!.id };
  }

  async untagPass(accountId: number, tag: string, key: PassKey) {
    const pass = await this.passes.find(accountId, key);
    const tagId = await this.tags.removeFromPass(accountId, pass.id, tag);
    if (tagId === undefined) throw notFound("Tag", `Tag "${tag}" on this pass`);
    return { status: "success" as const, success: "success" as const, passId: pass.id, tagId };
  }

  async delete(accountId: number, tag: string) {
    const found = await this.require(accountId, tag);
    const count = await this.tags.delete(found.id);
    return { status: "success" as const, success: "success" as const, count, tagId: found.id };
  }

  /** DELETE /tag/{tag}/passes: the tag comes off every pass; the tag itself stays (its pass list is empty). */
  async removeFromAll(accountId: number, tag: string) {
    const found = await this.require(accountId, tag);
    const count = await this.tags.removeFromAll(found.id);
    return { status: "success" as const, count, tagId: found.id };
  }

  /**
   * PUT /tag/{tag}/passes with `{fields, headers}`: every pass carrying the tag takes the values (each pass the
   * names its template has; a name no template has is a 400). One ticket, finished when this answers.
   */
  async updateTagged(accountId: number, tag: string, body: unknown) {
    const { groups, names: named } = valueGroupsOf(body);
    const found = await this.require(accountId, tag);
    const patches = [];
    const taken = new Set<string>();
    for (const templateId of await this.tags.templatesOf(found.id)) {
      const patch = await this.passes.patchFor(accountId, templateId, groups);
      for (const name of patch.names) taken.add(name);
      patches.push(patch);
    }
    const unknown = patches.length ? named.filter((name) => !taken.has(name)) : [];
    if (unknown.length) {
      throw new InvalidInput([`no template of the tagged passes has ${unknown.map((n) => `"${n}"`).join(", ")}`]);
    }
    return { ticketId: await this.tags.updateTagged(accountId, found.id, patches) };
  }

  private async require(accountId: number, tag: string) {
    const found = await this.tags.find(accountId, tag);
    if (!found) throw notFound("Tag", `Tag "${tag}"`);
    return found;
  }
}
