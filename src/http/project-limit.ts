// The reach of a principal limited to one project (an API key made with --project, or a token issued to one): a
// route naming a project, template, pass or adaptive link is allowed when what it names belongs to that project;
// a route over the whole account (lists across projects, tags, tickets, creating or duplicating projects, Badge)
// is refused with 403 PROJECT_FORBIDDEN. A route whose target does not exist is allowed only to read or delete
// (it answers its own 404): a write naming nothing that exists could create it outside the project (a project or
// template made by external id). Decided from the route's method, URL pattern and path parameters, before the
// route runs; what the body names is checked by the services (an adaptive link's templates must be its project's).
import type { FastifyRequest } from "fastify";
import type { Principal } from "../accounts/api-keys.js";
import type { OwnershipStore } from "../core/projects/ownership-store.js";
import { AppError } from "../errors.js";

type Params = Record<string, string | undefined>;
/** The projects a lookup found (empty: nothing found), or "account" for a route over the whole account. */
type Reach = number[] | "account";

/** Methods that only read or delete: allowed to name what does not exist (the route answers 404). */
const READS = new Set(["GET", "HEAD", "DELETE"]);
/** Routes that make a project: by external id, or as a copy. */
const PROJECT_MAKERS = /^\/project\/(id\/:externalId$|duplicate\/)/;

const numeric = (value: string | undefined) => (value !== undefined && /^[0-9]{1,9}$/.test(value) ? Number(value) : -1);

export class ProjectLimit {
  constructor(private readonly owners: OwnershipStore) {}

  /** Throws PROJECT_FORBIDDEN unless the request stays inside the principal's project. */
  check = async (request: FastifyRequest, principal: Principal): Promise<void> => {
    const reach = await this.reachOf(
      request.method,
      request.routeOptions.url ?? "",
      (request.params ?? {}) as Params,
      principal.accountId,
    );
    const limit = principal.projectId!;
    if (reach !== "account" && reach.length === 0 && !READS.has(request.method)) {
      throw new AppError(
        "PROJECT_FORBIDDEN",
        `These credentials are limited to project ${limit}; what this request names is not in it`,
      );
    }
    if (reach === "account") {
      throw new AppError(
        "PROJECT_FORBIDDEN",
        `These credentials are limited to project ${limit}; this route spans the account`,
      );
    }
    if (reach.some((project) => project !== limit)) {
      throw new AppError("PROJECT_FORBIDDEN", `These credentials are limited to project ${limit}`);
    }
  };

  private async reachOf(method: string, url: string, p: Params, accountId: number): Promise<Reach> {
    const path = url.replace(/^\/v[01]/, "");
    const owners = this.owners;
    // Making a project (also as a copy of one) reaches beyond any one project.
    if (method === "POST" && (path === "/project" || PROJECT_MAKERS.test(path))) return "account";
    if (p.projectId !== undefined) return [numeric(p.projectId)];
    if (p.projectExternalId !== undefined) return owners.projectByExternalId(accountId, p.projectExternalId);
    if (path.startsWith("/project/") && p.id !== undefined) return [numeric(p.id)];
    if (path.startsWith("/project/") && p.externalId !== undefined) {
      return owners.projectByExternalId(accountId, p.externalId);
    }
    if (p.templateId !== undefined) return owners.templateProject(accountId, { id: numeric(p.templateId) });
    if (path.startsWith("/template/")) {
      if (p.id !== undefined) return owners.templateProject(accountId, { id: numeric(p.id) });
      const external = p.templateExternalId ?? p.externalId;
      if (external !== undefined) return owners.templateProject(accountId, { externalId: external });
    }
    if (path.startsWith("/pass/") || path.startsWith("/tag/:tag/pass/")) {
      if (p.templateExternalId !== undefined) {
        return owners.templateProject(accountId, { externalId: p.templateExternalId });
      }
      if (p.id !== undefined) return owners.passProject(accountId, { id: numeric(p.id) });
      const external = p.externalId ?? p.passExternalId;
      if (external !== undefined) return owners.passProject(accountId, { externalId: external });
    }
    if (path.startsWith("/links/adaptive/") && p.linkId !== undefined) return owners.linkProject(accountId, p.linkId);
    return "account";
  }
}
