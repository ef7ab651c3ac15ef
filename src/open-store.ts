// Opens the database a process uses: DATABASE_URL, or the embedded Postgres; migrates it and installs the job queue's
// schema (process start-up, above db/ and jobs/).
import type { Config } from "./config.js";
import { type DatabaseHandle, openDatabase } from "./db/client.js";
import { startEmbeddedPostgres } from "./db/embedded.js";
import { migrate } from "./db/migrate.js";
import { installQueueSchema } from "./jobs/queue.js";

interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

export interface OpenedStore {
  readonly db: DatabaseHandle;
  readonly connectionString: string;
  close(): Promise<void>;
}

/** Connects (starting the embedded Postgres when no DATABASE_URL is set) and applies pending migrations. */
export async function openStore(config: Config, log: Logger): Promise<OpenedStore> {
  const embedded =
    config.databaseUrl === undefined
      ? await startEmbeddedPostgres(config.dataDir, config.embeddedPostgresPort, log)
      : undefined;
  const connectionString = config.databaseUrl ?? embedded!.connectionString;
  try {
    const { applied } = await migrate(connectionString);
    if (applied.length > 0) log.info(`applied migrations: ${applied.join(", ")}`);
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
  const db = openDatabase(connectionString, config.dbPoolMax, { statementTimeoutMs: config.dbStatementTimeoutMs });
  try {
    await installQueueSchema(db.pool);
  } catch (error) {
    await db.close();
    await embedded?.stop();
    throw error;
  }
  return {
    db,
    connectionString,
    async close() {
      await db.close();
      await embedded?.stop();
    },
  };
}
