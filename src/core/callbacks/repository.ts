// Project callbacks at rest: the base URL in clear, the headers (their values are secrets: bearer tokens, API
// keys) as one JSON object sealed under WALLET_ENCRYPTION_KEY.
import type { Queryable } from "../../db/queryable.js";
import type { SecretBox } from "../../secrets/encryption.js";

export interface ProjectCallback {
  projectId: number;
  baseUrl: string;
  headers: Record<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

export class CallbackRepository {
  constructor(
    private readonly db: Queryable,
    private readonly secrets: SecretBox,
  ) {}

  async set(projectId: number, baseUrl: string, headers: Record<string, string>): Promise<ProjectCallback> {
    const sealed = this.secrets.seal(Buffer.from(JSON.stringify(headers)));
    const { rows } = await this.db.query<{ createdAt: Date; updatedAt: Date }>(
      `INSERT INTO project_callbacks (project_id, base_url, headers_sealed) VALUES ($1, $2, $3)
       ON CONFLICT (project_id) DO UPDATE SET base_url = EXCLUDED.base_url, headers_sealed = EXCLUDED.headers_sealed,
         updated_at = now()
       RETURNING created_at AS "createdAt", updated_at AS "updatedAt"`,
      [projectId, baseUrl, sealed],
    );
    return { projectId, baseUrl, headers, ...rows[0]! };
  }

  async get(projectId: number): Promise<ProjectCallback | undefined> {
    const { rows } = await this.db.query<{ baseUrl: string; sealed: Buffer; createdAt: Date; updatedAt: Date }>(
      `SELECT base_url AS "baseUrl", headers_sealed AS sealed, created_at AS "createdAt", updated_at AS "updatedAt"
         FROM project_callbacks WHERE project_id = $1`,
      [projectId],
    );
    const row = rows[0];
    if (!row) return undefined;
    const headers = JSON.parse(this.secrets.open(row.sealed).toString("utf8")) as Record<string, string>;
    return { projectId, baseUrl: row.baseUrl, headers, createdAt: row.createdAt, updatedAt: row.updatedAt };
  }

  async delete(projectId: number): Promise<boolean> {
    const { rowCount } = await this.db.query("DELETE FROM project_callbacks WHERE project_id = $1", [projectId]);
    return rowCount === 1;
  }
}
