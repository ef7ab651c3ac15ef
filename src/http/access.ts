// What an authenticated route declares in its own definition (`config: access(scope, owner)`): the OAuth scope it
// needs, and what it reaches, for credentials limited to one project. http/auth.ts refuses to register an
// authenticated route without a declaration (the server does not start), so no route is left unscoped.
import type { Scope } from "../accounts/scopes.js";

/**
 * What a route reaches:
 * - `account`: the whole account (lists across projects, tags, tickets, Badge): refused to project-limited credentials;
 * - `new-project`: it makes a project (also as a copy): refused likewise;
 * - `project`, `template`, `pass`, `link`: the project owning the project, template, pass or adaptive link its path
 *   names (by the path parameters http/project-limit.ts reads for each kind).
 */
export type Owner = "account" | "new-project" | "project" | "template" | "pass" | "link";

export interface Access {
  readonly scope: Scope;
  readonly owner: Owner;
  /** A POST that changes nothing (a preview of an unsaved body): read-only credentials may use it. */
  readonly reads?: boolean;
}

/** The path parameters each owner is found by, in the order they are read (http/project-limit.ts). */
export const OWNER_PARAMS: Record<Exclude<Owner, "account" | "new-project">, readonly string[]> = {
  project: ["projectId", "projectExternalId", "id", "externalId"],
  template: ["templateId", "templateExternalId", "id", "externalId"],
  pass: ["id", "passId", "externalId", "passExternalId"],
  link: ["linkId"],
};

/** Why a route's path cannot name its owner (none of the owner's parameters in it), or undefined. */
export function ownerProblem(url: string, owner: Owner): string | undefined {
  if (owner === "account" || owner === "new-project") return undefined;
  const params = new Set([...url.matchAll(/:(\w+)/g)].map((m) => m[1]));
  if (OWNER_PARAMS[owner].some((name) => params.has(name))) return undefined;
  return `its owner "${owner}" is found by one of the parameters ${OWNER_PARAMS[owner].join(", ")}, and its path has none`;
}

/** The route's declaration, for its `config`. */
export const access = (scope: Scope, owner: Owner, options: { reads?: boolean } = {}): { access: Access } => ({
  access: { scope, owner, ...options },
});

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
  }
}
