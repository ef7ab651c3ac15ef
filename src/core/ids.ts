// Path-id helpers shared by the /v1 resources: numeric ids and the id/{externalId} forms.
import { Type } from "@sinclair/typebox";
import { MAX_INT_ID } from "../db/driver-errors.js";
import { type Missing, notFound } from "../errors.js";

export const NumericIdParam = Type.String({ pattern: "^[0-9]{1,18}$", maxLength: 18 });
export const ExternalIdParam = Type.String({ minLength: 1, maxLength: 255 });

export type Key = { id: number } | { externalId: string };

/** A numeric path id; ids outside the integer range cannot exist, so they are "not found". */
export function numericId(raw: string, what: Missing): number {
  const id = Number(raw);
  if (!Number.isSafeInteger(id) || id < 1 || id > MAX_INT_ID) throw notFound(what);
  return id;
}

export function keyOf(params: { id?: string; externalId?: string }, what: Missing): Key {
  return params.externalId !== undefined ? { externalId: params.externalId } : { id: numericId(params.id ?? "", what) };
}

/** The two paths of a project sub-resource (`/project/{projectId}/…` and `/project/id/{externalId}/…`). */
export function projectPaths(suffix: string) {
  return [
    { path: `/project/:projectId/${suffix}`, params: Type.Object({ projectId: NumericIdParam }) },
    { path: `/project/id/:externalId/${suffix}`, params: Type.Object({ externalId: ExternalIdParam }) },
  ];
}

/** The caller's project a path names, or 404. */
export async function projectIdOf(
  projects: { findId(accountId: number, key: Key): Promise<number | null> },
  accountId: number,
  params: { projectId?: string; externalId?: string },
): Promise<number> {
  const id = await projects.findId(
    accountId,
    keyOf({ id: params.projectId, externalId: params.externalId }, "Project"),
  );
  if (id === null) throw notFound("Project");
  return id;
}
