// The reach of a principal limited to one project (an API key made with --project, or a token issued to one): a
// route declares its owner in its definition (http/access.ts); a route naming a project, template, pass or
// adaptive link is allowed when what it names belongs to that project; a route over the whole account (lists across
// projects, tags, tickets, Badge) or making a project is refused with 403 PROJECT_FORBIDDEN. A route whose target
// does not exist is allowed only to read or delete (it answers its own 404): a write naming nothing that exists
// could create it outside the project (a project or template made by external id). Decided before the route runs;
// what the body names is checked by the services (an adaptive link's templates must be its project's).
import type { FastifyRequest } from "fastify";
import type { Principal } from "../accounts/api-keys.js";
import type { OwnershipStore } from "../core/projects/ownership-store.js";
import { AppError } from "../errors.js";
import type { Owner } from "./access.js";

type Params = Record<string, string | undefined>;
/** The projects a lookup found (empty: nothing found), or "account" for a route over the whole account. */
type Reach = number[] | "account";

/** Methods that only read or delete: allowed to name what does not exist (the route answers 404). */
const READS = new Set(["GET", "HEAD", "DELETE"]);

const numeric = (value: string | undefined) => (value !== undefined && /^[0-9]{1,9}$/.test(value) ? Number(value) : -1);

export class ProjectLimit {
  constructor(private readonly owners: OwnershipStore) {}

  /** Throws PROJECT_FORBIDDEN unless the request stays inside the principal's project. */
  check = async (request: FastifyRequest, principal: Principal): Promise<void> => {
    const owner = request.routeOptions.config.access?.owner ?? "account";
    const reach = await this.reachOf(owner, (request.params ?? {}) as Params, principal.accountId);
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

  /** The projects owning what the path names, read by the owner's parameters in their order (http/access.ts). */
  private async reachOf(owner: Owner, p: Params, accountId: number): Promise<Reach> {
    const owners = this.owners;
    switch (owner) {
      case "account":
      case "new-project":
        return "account";
      case "project":
        if (p.projectId !== undefined) return [numeric(p.projectId)];
        if (p.projectExternalId !== undefined) return owners.projectByExternalId(accountId, p.projectExternalId);
        if (p.id !== undefined) return [numeric(p.id)];
        if (p.externalId !== undefined) return owners.projectByExternalId(accountId, p.externalId);
        break;
      case "template":
        if (p.templateId !== undefined) return owners.templateProject(accountId, { id: numeric(p.templateId) });
        if (p.templateExternalId !== undefined) {
          return owners.templateProject(accountId, { externalId: p.templateExternalId });
        }
        if (p.id !== undefined) return owners.templateProject(accountId, { id: numeric(p.id) });
        if (p.externalId !== undefined) return owners.templateProject(accountId, { externalId: p.externalId });
        break;
      case "pass": {
        const id = p.id ?? p.passId;
        if (id !== undefined) return owners.passProject(accountId, { id: numeric(id) });
        const external = p.externalId ?? p.passExternalId;
        if (external !== undefined) return owners.passProject(accountId, { externalId: external });
        break;
      }
      case "link":
        if (p.linkId !== undefined) return owners.linkProject(accountId, p.linkId);
        break;
    }
    // Registration checks every route's path has one of its owner's parameters (http/access.ts ownerProblem).
    return "account";
  }
}
