// The reach of a principal limited to one project (an API key made with --project, or a token issued to one): a
// route naming a project, template, pass or adaptive link is allowed when what it names belongs to that project;
// a route over the whole account (lists across projects, tags, tickets, creating or duplicating projects, Badge)
// is refused with 403 PROJECT_FORBIDDEN. A route whose target does not exist is allowed only to read or delete
// (it answers its own 404): a write naming nothing that exists could create it outside the project (a project or
// template made by external id). Decided from the route's method, URL pattern and path parameters, before the
// route runs; what the body names is checked by the services (an adaptive link's templates must be its project's).
import type { FastifyRequest } from "fastify";
import type pg from "pg";
import type { Principal } from "../accounts/api-keys.js";
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
  constructor(private readonly pool: pg.Pool) {}

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
    // Making a project (also as a copy of one) reaches beyond any one project.
    if (method === "POST" && (path === "/project" || PROJECT_MAKERS.test(path))) return "account";
    if (p.projectId !== undefined) return [numeric(p.projectId)];
    if (p.projectExternalId !== undefined)
      return this.query(
        "SELECT id FROM projects WHERE account_id = $1 AND external_id = $2",
        accountId,
        p.projectExternalId,
      );
    if (path.startsWith("/project/") && p.id !== undefined) return [numeric(p.id)];
    if (path.startsWith("/project/") && p.externalId !== undefined) {
      return this.query("SELECT id FROM projects WHERE account_id = $1 AND external_id = $2", accountId, p.externalId);
    }
    if (p.templateId !== undefined) return this.template("id = $2", accountId, numeric(p.templateId));
    if (path.startsWith("/template/")) {
      if (p.id !== undefined) return this.template("id = $2", accountId, numeric(p.id));
      const external = p.templateExternalId ?? p.externalId;
      if (external !== undefined) return this.template("external_id = $2", accountId, external);
    }
    if (path.startsWith("/pass/") || path.startsWith("/tag/:tag/pass/")) {
      if (p.templateExternalId !== undefined) return this.template("external_id = $2", accountId, p.templateExternalId);
      if (p.id !== undefined) return this.pass("p.id = $2", accountId, numeric(p.id));
      const external = p.externalId ?? p.passExternalId;
      if (external !== undefined) return this.pass("p.external_id = $2", accountId, external);
    }
    if (path.startsWith("/links/adaptive/") && p.linkId !== undefined) {
      return this.query(
        "SELECT project_id AS id FROM adaptive_links WHERE account_id = $1 AND id = $2",
        accountId,
        p.linkId,
      );
    }
    return "account";
  }

  private template(where: string, accountId: number, value: string | number) {
    return this.query(`SELECT project_id AS id FROM templates WHERE account_id = $1 AND ${where}`, accountId, value);
  }

  private pass(where: string, accountId: number, value: string | number) {
    return this.query(
      `SELECT t.project_id AS id FROM passes p JOIN templates t ON t.id = p.template_id WHERE p.account_id = $1 AND ${where}`,
      accountId,
      value,
    );
  }

  private async query(sql: string, accountId: number, value: string | number): Promise<number[]> {
    const { rows } = await this.pool.query<{ id: number }>(sql, [accountId, value]);
    return [...new Set(rows.map((r) => r.id))];
  }
}
