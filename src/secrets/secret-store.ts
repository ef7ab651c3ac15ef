// One store for every credential kept per project with a sealed secret: Apple signing identities, Google issuers,
// and (next) webhook secrets. Each lives in its own table — a row per project plus at most one generated
// "development" row — with one column holding the secret sealed under WALLET_ENCRYPTION_KEY. The store seals and
// opens; ProjectCredentials adds the resolution every kind shares: the project's own, else the server-wide
// default, else the development one, built once per row version and cached briefly.
import type pg from "pg";
import { CredentialResolver, type Resolved } from "./credential-resolver.js";
import type { SecretBox } from "./encryption.js";

export interface SecretTable {
  /** The table (a code constant, never input). */
  readonly table: string;
  /** The bytea column holding the sealed secret. */
  readonly secretColumn: string;
}

export interface StoredRow {
  id: number;
  project_id: number | null;
  kind: string;
  updated_at: Date;
  [column: string]: unknown;
}

/** A row with its secret opened, and a key that changes whenever the row does. */
export interface Opened<Row extends StoredRow> {
  row: Row;
  secret: Buffer;
  version: string;
}

export class SecretStore<Row extends StoredRow> {
  constructor(
    private readonly pool: pg.Pool,
    readonly box: SecretBox,
    private readonly spec: SecretTable,
  ) {}

  /** A row read elsewhere (a store selecting rows of this table), opened. */
  opened(row: Row | undefined): Opened<Row> | undefined {
    return this.open(row);
  }

  private open(row: Row | undefined): Opened<Row> | undefined {
    if (!row) return undefined;
    const secret = this.box.open(row[this.spec.secretColumn] as Buffer);
    return { row, secret, version: `${row.id}:${row.updated_at.getTime()}` };
  }

  async ofProject(projectId: number): Promise<Opened<Row> | undefined> {
    const { rows } = await this.pool.query<Row>({
      name: `${this.spec.table}-of-project`,
      text: `SELECT * FROM ${this.spec.table} WHERE project_id = $1`,
      values: [projectId],
    });
    return this.open(rows[0]);
  }

  async development(): Promise<Opened<Row> | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT * FROM ${this.spec.table} WHERE kind = 'development'`);
    return this.open(rows[0]);
  }

  /** Stores (or replaces) a project's credential: its plain columns and its secret, sealed. */
  async putProject(projectId: number, columns: Record<string, unknown>, secret: Buffer, renew: string[] = []) {
    const names = Object.keys(columns);
    const all = ["project_id", "kind", ...names, this.spec.secretColumn];
    const values = [projectId, "project", ...Object.values(columns), this.box.seal(secret)];
    const updates = [...names, this.spec.secretColumn].map((c) => `${c} = EXCLUDED.${c}`);
    await this.pool.query(
      `INSERT INTO ${this.spec.table} (${all.join(", ")}) VALUES (${all.map((_, i) => `$${i + 1}`).join(", ")})
       ON CONFLICT (project_id) DO UPDATE SET ${[...updates, ...renew, "updated_at = clock_timestamp()"].join(", ")}`,
      values,
    );
  }

  /** Stores the generated development credential unless one exists (several processes may start at once). */
  async putDevelopment(columns: Record<string, unknown>, secret: Buffer): Promise<void> {
    const all = ["project_id", "kind", ...Object.keys(columns), this.spec.secretColumn];
    await this.pool.query(
      `INSERT INTO ${this.spec.table} (${all.join(", ")}) VALUES (${all.map((_, i) => `$${i + 1}`).join(", ")})
       ON CONFLICT (kind) WHERE kind = 'development' DO NOTHING`,
      [null, "development", ...Object.values(columns), this.box.seal(secret)],
    );
  }

  async remove(projectId: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM ${this.spec.table} WHERE project_id = $1`, [projectId]);
    return (rowCount ?? 0) > 0;
  }

  /** Plain columns of the project rows matching a condition on them (never the secret). */
  async projectRows<R extends pg.QueryResultRow>(columns: string[], where: string, values: unknown[]): Promise<R[]> {
    const { rows } = await this.pool.query<R>(
      `SELECT ${columns.join(", ")} FROM ${this.spec.table} WHERE kind = 'project' AND ${where}`,
      values,
    );
    return rows;
  }
}

/**
 * The credentials of one kind, resolved per project: its own, else the server-wide default, else the development
 * one (generated on first start when there is no default). Each stored row is built (parsed, signer made) once.
 */
export class ProjectCredentials<Row extends StoredRow, T> {
  private readonly built = new Map<string, T>();
  private development: T | undefined;
  private readonly resolver: CredentialResolver<T>;

  constructor(
    readonly store: SecretStore<Row>,
    private readonly build: (opened: Opened<Row>) => T,
    readonly fallback: T | undefined,
    what: string,
    /** The credential the project's account provides when the project has none (Apple's account certificates). */
    accountOf?: (projectId: number) => Promise<Opened<Row> | undefined>,
  ) {
    this.resolver = new CredentialResolver<T>(
      what,
      async (projectId) => this.builtFrom(await this.store.ofProject(projectId)),
      () => ({ default: this.fallback, development: this.development }),
      undefined,
      undefined,
      accountOf && (async (projectId) => this.builtFrom(await accountOf(projectId))),
    );
  }

  /** An account-wide credential changed: every project's answer is read again. */
  forgetAll(): void {
    this.resolver.forgetAll();
  }

  private builtFrom(opened: Opened<Row> | undefined): T | undefined {
    if (!opened) return undefined;
    let value = this.built.get(opened.version);
    if (!value) {
      value = this.build(opened);
      this.built.set(opened.version, value);
    }
    return value;
  }

  /**
   * Without a server-wide default, loads the development credential, generating it first if there is none.
   * Returns whether the development one is in use.
   */
  async startDevelopment(generate: () => { columns: Record<string, unknown>; secret: Buffer }): Promise<boolean> {
    if (this.fallback) return false;
    let opened = await this.store.development();
    if (!opened) {
      const { columns, secret } = generate();
      await this.store.putDevelopment(columns, secret);
      opened = await this.store.development();
    }
    this.development = this.builtFrom(opened);
    return true;
  }

  resolve(projectId: number): Promise<Resolved<T>> {
    return this.resolver.resolve(projectId);
  }

  async put(projectId: number, columns: Record<string, unknown>, secret: Buffer, renew?: string[]): Promise<void> {
    await this.store.putProject(projectId, columns, secret, renew);
    this.resolver.forget(projectId);
  }

  async remove(projectId: number): Promise<boolean> {
    const removed = await this.store.remove(projectId);
    this.resolver.forget(projectId);
    return removed;
  }
}
