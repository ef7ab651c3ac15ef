// Admin commands. Usage: npm run cli -- <command>
//   migrate                          apply pending migrations
//   apikey create --name NAME [--account ID]   prints {"key","secret","accountId"} (the secret is shown once)
//   apikey list                      one JSON object per key (never the secret)
//   apikey revoke KEY
import { parseArgs } from "node:util";
import { ApiKeyRepository } from "./accounts/api-key-repository.js";
import { ApiKeyService } from "./accounts/api-keys.js";
import { ConfigError, loadConfig } from "./config.js";
import { openStore } from "./db/open.js";

const USAGE = `usage: npm run cli -- <command>
  migrate
  apikey create --name NAME [--account ACCOUNT_ID]
  apikey list
  apikey revoke KEY`;

// Progress goes to stderr so that stdout carries only the command's JSON result.
const log = { info: (msg: string) => console.error(msg), warn: (msg: string) => console.error(msg) };

class UsageError extends Error {}

async function run(argv: string[]): Promise<void> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { name: { type: "string" }, account: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  const [command, sub, arg] = positionals;
  if (values.help || command === undefined) throw new UsageError(USAGE);
  if (command !== "migrate" && command !== "apikey") throw new UsageError(`unknown command "${command}"\n${USAGE}`);

  const config = loadConfig();
  const store = await openStore(config, log); // migrates on open
  try {
    if (command === "migrate") {
      console.log(JSON.stringify({ status: "up to date" }));
      return;
    }
    const apiKeys = new ApiKeyService(new ApiKeyRepository(store.db.prisma), 0);
    switch (sub) {
      case "create": {
        if (!values.name) throw new UsageError("apikey create needs --name NAME");
        const account = values.account === undefined ? undefined : Number(values.account);
        if (account !== undefined && !Number.isInteger(account)) throw new UsageError("--account must be an integer");
        console.log(JSON.stringify(await apiKeys.create(values.name, account)));
        return;
      }
      case "list":
        for (const key of await apiKeys.list()) {
          console.log(
            JSON.stringify({
              key: key.key,
              name: key.name,
              accountId: key.accountId,
              createdAt: key.createdAt.toISOString(),
              revokedAt: key.revokedAt?.toISOString() ?? null,
            }),
          );
        }
        return;
      case "revoke":
        if (!arg) throw new UsageError("apikey revoke needs the KEY");
        if (!(await apiKeys.revoke(arg))) throw new UsageError(`no API key "${arg}"`);
        console.log(JSON.stringify({ key: arg, revoked: true }));
        return;
      default:
        throw new UsageError(`unknown apikey command "${sub ?? ""}"\n${USAGE}`);
    }
  } finally {
    await store.close();
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
