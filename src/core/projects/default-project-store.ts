// The account's default project and the context ids of projects: used by the projects store and by the templates
// store (a template created without a project goes to the default one), so it sits below both.
import { randomBytes } from "node:crypto";
import type { Queryable } from "../../db/queryable.js";

export const newContextId = () => randomBytes(16).toString("base64url");

/**
 * The account's default project (where templates created without a project go), made on first use — inside the
 * caller's transaction, so a template that then fails leaves no project behind.
 */
export async function ensureDefaultProject(db: Queryable, accountId: number): Promise<number> {
  await db.query(
    `INSERT INTO projects (account_id, context_id, name, description, project_type, is_default)
     VALUES ($1, $2, 'Default Project', 'Templates created without a project', 'generic', true)
     ON CONFLICT (account_id) WHERE is_default DO NOTHING`,
    [accountId, newContextId()],
  );
  const { rows } = await db.query<{ id: number }>("SELECT id FROM projects WHERE account_id = $1 AND is_default", [
    accountId,
  ]);
  return rows[0]!.id;
}
