// Webhook endpoints at rest: URL and topics in clear, the signing secret (and, for a day after a rotation, the
// previous one) sealed under WALLET_ENCRYPTION_KEY.
import type { Queryable } from "../../db/queryable.js";
import type { SecretBox } from "../../secrets/encryption.js";

export interface WebhookEndpoint {
  id: string;
  url: string;
  enabledTopics: string[];
  enabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EndpointChanges {
  url?: string;
  enabledTopics?: string[];
  enabled?: boolean;
}

/** What a delivery needs of its endpoint: where it is now, whether it is on, the secrets that sign. */
export interface EndpointSigning {
  url: string;
  enabled: boolean;
  secrets: string[];
}

const COLUMNS = `id, url, enabled_topics AS "enabledTopics", enabled, disabled_reason AS "disabledReason",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

export class WebhookEndpointRepository {
  constructor(
    private readonly db: Queryable,
    private readonly secrets: SecretBox,
  ) {}

  private seal = (secret: string) => this.secrets.seal(Buffer.from(secret, "utf8"));
  private open = (sealed: Buffer) => this.secrets.open(sealed).toString("utf8");

  /** Creates an endpoint unless the account has `limit` already (undefined then). */
  async create(
    accountId: number,
    id: string,
    endpoint: Required<EndpointChanges>,
    secret: string,
    limit: number,
  ): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.db.query<WebhookEndpoint>(
      `INSERT INTO webhook_endpoints (id, account_id, url, enabled_topics, enabled, secret_sealed)
       SELECT $1, $2, $3, $4, $5, $6
        WHERE (SELECT count(*) FROM webhook_endpoints WHERE account_id = $2) < $7
       RETURNING ${COLUMNS}`,
      [id, accountId, endpoint.url, endpoint.enabledTopics, endpoint.enabled, this.seal(secret), limit],
    );
    return rows[0];
  }

  async list(accountId: number): Promise<WebhookEndpoint[]> {
    const { rows } = await this.db.query<WebhookEndpoint>(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE account_id = $1 ORDER BY created_at, id`,
      [accountId],
    );
    return rows;
  }

  async get(accountId: number, id: string): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.db.query<WebhookEndpoint>(
      `SELECT ${COLUMNS} FROM webhook_endpoints WHERE account_id = $1 AND id = $2`,
      [accountId, id],
    );
    return rows[0];
  }

  /** Applies the given changes; enabling an endpoint clears why the server had disabled it. */
  async update(accountId: number, id: string, changes: EndpointChanges): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.db.query<WebhookEndpoint>(
      `UPDATE webhook_endpoints SET url = COALESCE($3, url), enabled_topics = COALESCE($4, enabled_topics),
         enabled = COALESCE($5, enabled),
         disabled_reason = CASE WHEN $5 IS NULL THEN disabled_reason END,
         updated_at = now()
        WHERE account_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [accountId, id, changes.url ?? null, changes.enabledTopics ?? null, changes.enabled ?? null],
    );
    return rows[0];
  }

  async delete(accountId: number, id: string): Promise<boolean> {
    const { rowCount } = await this.db.query("DELETE FROM webhook_endpoints WHERE account_id = $1 AND id = $2", [
      accountId,
      id,
    ]);
    return rowCount === 1;
  }

  /** Replaces the secret; the one it replaces keeps signing for `graceMs` alongside it. */
  async rotate(accountId: number, id: string, secret: string, graceMs: number) {
    const { rows } = await this.db.query<WebhookEndpoint>(
      `UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, secret_sealed = $3,
         previous_secret_expires_at = now() + make_interval(secs => $4::double precision / 1000), updated_at = now()
        WHERE account_id = $1 AND id = $2 RETURNING ${COLUMNS}`,
      [accountId, id, this.seal(secret), graceMs],
    );
    return rows[0];
  }

  async signing(id: string): Promise<EndpointSigning | undefined> {
    const { rows } = await this.db.query<{ url: string; enabled: boolean; current: Buffer; previous: Buffer | null }>(
      `SELECT url, enabled, secret_sealed AS current,
              CASE WHEN previous_secret_expires_at > now() THEN previous_secret_sealed END AS previous
         FROM webhook_endpoints WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const secrets = [this.open(row.current), ...(row.previous ? [this.open(row.previous)] : [])];
    return { url: row.url, enabled: row.enabled, secrets };
  }

  /** Turns an endpoint off on the server's own account (its receiver said 410 Gone). */
  async disable(id: string, reason: string): Promise<void> {
    await this.db.query(
      "UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, updated_at = now() WHERE id = $1",
      [id, reason],
    );
  }
}
