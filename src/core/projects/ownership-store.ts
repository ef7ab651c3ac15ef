// Which project owns what a request names: read by the HTTP layer's project limit (http/project-limit.ts) before a
// route runs. Each lookup answers the owning projects it found within the account (empty: nothing found).
import type { Queryable } from "../../db/queryable.js";

export class OwnershipStore {
  constructor(private readonly db: Queryable) {}

  projectByExternalId(accountId: number, externalId: string): Promise<number[]> {
    return this.ids("SELECT id FROM projects WHERE account_id = $1 AND external_id = $2", accountId, externalId);
  }

  templateProject(accountId: number, template: { id: number } | { externalId: string }): Promise<number[]> {
    return "id" in template
      ? this.ids("SELECT project_id AS id FROM templates WHERE account_id = $1 AND id = $2", accountId, template.id)
      : this.ids(
          "SELECT project_id AS id FROM templates WHERE account_id = $1 AND external_id = $2",
          accountId,
          template.externalId,
        );
  }

  passProject(accountId: number, pass: { id: number } | { externalId: string }): Promise<number[]> {
    const join = "SELECT p.project_id AS id FROM pass_facts p WHERE p.account_id = $1";
    return "id" in pass
      ? this.ids(`${join} AND p.id = $2`, accountId, pass.id)
      : this.ids(`${join} AND p.external_id = $2`, accountId, pass.externalId);
  }

  linkProject(accountId: number, linkId: string): Promise<number[]> {
    return this.ids("SELECT project_id AS id FROM adaptive_links WHERE account_id = $1 AND id = $2", accountId, linkId);
  }

  private async ids(sql: string, accountId: number, value: string | number): Promise<number[]> {
    const { rows } = await this.db.query<{ id: number }>(sql, [accountId, value]);
    return [...new Set(rows.map((r) => r.id))];
  }
}
