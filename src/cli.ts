// Admin commands: npm run cli -- <command> (COMMANDS below lists them; --help prints it). Results are JSON on
// stdout (doctor prints a checklist); progress and errors go to stderr; a usage mistake exits 2.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { isScope, SCOPES, type Scope } from "./accounts/scopes.js";
import type { Services } from "./composition.js";
import { ConfigError, loadConfig } from "./config.js";
import { DeliveryQueue } from "./deliveries/delivery-store.js";
import { GIVE_UP_AFTER_MS } from "./deliveries/retry-policy.js";
import { formatChecks, runDoctor } from "./doctor.js";
import { InvalidInput } from "./domain/invalid-input.js";
import { openStore } from "./open-store.js";
import { rotateSecrets } from "./secrets/rotation-store.js";
import { loadSecrets, servicesFor } from "./startup.js";

/** Every command: its forms and what each does (`--help`, and usage on a mistake). */
const COMMANDS: Record<string, [string, string][]> = {
  migrate: [["migrate", "apply pending database migrations (the server also does at every start)"]],
  apikey: [
    [
      "apikey create --name NAME [--account ID] [--project ID] [--scope SCOPE]... [--read-only]",
      "make an API key (the secret is printed once); --project, --scope and --read-only limit it",
    ],
    ["apikey list", "list API keys (never their secrets)"],
    ["apikey revoke KEY", "revoke an API key"],
  ],
  cert: [
    [
      "cert import --project ID --cert FILE [--key FILE] [--password-env VAR]",
      "set a project's Apple pass certificate",
    ],
    ["cert show --project ID", "which certificate signs the project's Apple passes"],
    ["cert remove --project ID", "back to the server's default certificate"],
  ],
  deliveries: [
    ["deliveries list [--state dead|pending|delivered] [--limit N]", "outbound callback and webhook deliveries"],
    ["deliveries replay ID... | --all-dead", "put dead-lettered deliveries back in the queue"],
  ],
  secrets: [
    [
      "secrets rotate-key",
      "re-encrypt every stored secret under WALLET_ENCRYPTION_KEY (reading WALLET_ENCRYPTION_KEY_PREVIOUS), in one transaction",
    ],
  ],
  tokens: [["tokens rotate-key [--revoke-all]", "a new key signs OAuth tokens; --revoke-all ends every issued token"]],
  doctor: [["doctor", "check configuration, database, certificates, APNs, Google and PUBLIC_BASE_URL"]],
};

function usageOf(commands: string[]): string {
  const lines = commands.flatMap((c) => COMMANDS[c] ?? []);
  return `usage: npm run cli -- <command> [--help]\n\n${lines.map(([form, about]) => `  ${form}\n      ${about}`).join("\n")}`;
}

const USAGE = usageOf(Object.keys(COMMANDS));

// Progress goes to stderr so that stdout carries only the command's JSON result.
const log = {
  info: (msg: string) => console.error(msg),
  warn: (msg: string) => console.error(msg),
  error: (msg: string) => console.error(msg),
};

/** The services' own start-up notices (development certificate, …) are the server's to say, not each command's. */
const quiet = { info: () => undefined, warn: () => undefined, error: log.error };

class UsageError extends Error {}
/** A request for help: printed to stdout, exit 0. */
class HelpRequest extends Error {}

async function run(argv: string[]): Promise<void> {
  const parsed = (() => {
    try {
      return parseArgs({
        args: argv,
        allowPositionals: true,
        options: {
          name: { type: "string" },
          account: { type: "string" },
          project: { type: "string" },
          cert: { type: "string" },
          key: { type: "string" },
          "password-env": { type: "string" },
          state: { type: "string" },
          limit: { type: "string" },
          "all-dead": { type: "boolean" },
          scope: { type: "string", multiple: true },
          "read-only": { type: "boolean" },
          "revoke-all": { type: "boolean" },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (error) {
      throw new UsageError(`${(error as Error).message}\n${USAGE}`);
    }
  })();
  const { positionals, values } = parsed;
  const [command, sub, arg, ...more] = positionals;
  if (command === undefined || command === "help") {
    if (values.help || command === "help") throw new HelpRequest(USAGE);
    throw new UsageError(USAGE);
  }
  if (!Object.hasOwn(COMMANDS, command)) throw new UsageError(`unknown command "${command}"\n${USAGE}`);
  if (values.help) throw new HelpRequest(usageOf([command]));

  const config = loadConfig();
  const store = await openStore(config, log); // migrates on open
  try {
    if (command === "migrate") {
      console.log(JSON.stringify({ status: "up to date" }));
      return;
    }
    if (command === "deliveries") {
      await deliveriesCommand(new DeliveryQueue(store.db.pool), sub, [arg, ...more], values);
      return;
    }
    const services = await servicesFor(config, store.db, quiet);
    if (command === "secrets") {
      if (sub !== "rotate-key") throw new UsageError(`unknown secrets command "${sub ?? ""}"\n${usageOf(["secrets"])}`);
      if (!config.walletEncryptionKey) {
        throw new UsageError(
          "secrets rotate-key needs WALLET_ENCRYPTION_KEY (the new key) and WALLET_ENCRYPTION_KEY_PREVIOUS",
        );
      }
      const { secrets } = loadSecrets(config, quiet);
      console.log(JSON.stringify({ rotated: await rotateSecrets(store.db.pool, secrets) }));
      services.jobs.close();
      return;
    }
    if (command === "doctor") {
      const checks = await runDoctor(config, services);
      console.log(formatChecks(checks));
      services.jobs.close();
      if (checks.some((c) => !c.ok)) process.exitCode = 1;
      return;
    }
    if (command === "tokens") {
      if (sub !== "rotate-key") throw new UsageError(`unknown tokens command "${sub ?? ""}"\n${USAGE}`);
      const rotated = await services.tokens.rotate();
      const revoked = values["revoke-all"] ? await services.tokens.revokeAll() : 0;
      console.log(JSON.stringify({ ...rotated, ...(values["revoke-all"] ? { revoked } : {}) }));
      return;
    }
    if (command === "cert") {
      await certificateCommand(services, sub, values);
      return;
    }
    const { apiKeys } = services;
    switch (sub) {
      case "create": {
        if (!values.name) throw new UsageError("apikey create needs --name NAME");
        let account = values.account === undefined ? undefined : Number(values.account);
        if (account !== undefined && !Number.isInteger(account)) throw new UsageError("--account must be an integer");
        const scopes = (values.scope ?? []).flatMap((s) => s.split(/[\s,]+/)).filter(Boolean);
        const unknown = scopes.filter((s) => !isScope(s));
        if (unknown.length) {
          throw new UsageError(`unknown scope ${unknown.join(", ")}; scopes: ${Object.keys(SCOPES).join(", ")}`);
        }
        let projectId: number | undefined;
        if (values.project !== undefined) {
          projectId = Number(values.project);
          const owner = Number.isInteger(projectId) ? await services.projectRepository.accountOf(projectId) : undefined;
          if (owner === undefined) throw new UsageError(`no project ${values.project}`);
          if (account !== undefined && account !== owner) {
            throw new UsageError(`project ${projectId} belongs to account ${owner}, not ${account}`);
          }
          account = owner;
        }
        const limits = {
          ...(scopes.length ? { scopes: scopes as Scope[] } : {}),
          ...(projectId ? { projectId } : {}),
          ...(values["read-only"] ? { readOnly: true } : {}),
        };
        console.log(JSON.stringify({ ...(await apiKeys.create(values.name, account, limits)), ...limits }));
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
              ...(key.scopes.length ? { scopes: key.scopes } : {}),
              ...(key.projectId === null ? {} : { projectId: key.projectId }),
              ...(key.readOnly ? { readOnly: true } : {}),
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

async function deliveriesCommand(
  queue: DeliveryQueue,
  sub: string | undefined,
  ids: (string | undefined)[],
  values: { state?: string; limit?: string; "all-dead"?: boolean },
): Promise<void> {
  switch (sub) {
    case "list": {
      const state = values.state ?? "dead";
      if (state !== "dead" && state !== "pending" && state !== "delivered") {
        throw new UsageError("--state must be dead, pending or delivered");
      }
      const limit = values.limit === undefined ? 100 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError("--limit must be 1–10000");
      // Bodies are the events (no secrets); the receivers' headers are not part of a delivery row.
      for (const d of await queue.list(state, limit)) console.log(JSON.stringify(d));
      return;
    }
    case "replay": {
      const given = ids.filter((id): id is string => id !== undefined);
      if (values["all-dead"] ? given.length > 0 : given.length === 0) {
        throw new UsageError("deliveries replay needs delivery ids or --all-dead (not both)");
      }
      if (given.some((id) => !/^\d{1,18}$/.test(id))) throw new UsageError("delivery ids are integers");
      const replayed = await queue.replay(values["all-dead"] ? "all-dead" : given, GIVE_UP_AFTER_MS);
      console.log(JSON.stringify({ replayed }));
      return;
    }
    default:
      throw new UsageError(`unknown deliveries command "${sub ?? ""}"\n${USAGE}`);
  }
}

async function certificateCommand(
  services: Services,
  sub: string | undefined,
  values: { project?: string; cert?: string; key?: string; "password-env"?: string },
): Promise<void> {
  const projectId = Number(values.project);
  if (!Number.isInteger(projectId) || projectId < 1) throw new UsageError(`cert ${sub ?? ""} needs --project ID`);
  if (!(await services.projectRepository.exists(projectId))) throw new UsageError(`no project ${projectId}`);
  const { identities } = services.apple;
  switch (sub) {
    case "import": {
      if (!values.cert) throw new UsageError("cert import needs --cert FILE (.p12, or PEM)");
      const passwordVariable = values["password-env"];
      const password = passwordVariable === undefined ? undefined : process.env[passwordVariable];
      if (passwordVariable !== undefined && password === undefined) {
        throw new UsageError(`--password-env ${passwordVariable}: that variable is not set`);
      }
      try {
        const summary = await identities.import(projectId, {
          certificate: readFileSync(values.cert),
          ...(values.key ? { privateKey: readFileSync(values.key) } : {}),
          ...(password === undefined ? {} : { password }),
        });
        console.log(JSON.stringify(summary));
      } catch (error) {
        if (error instanceof InvalidInput) throw new UsageError(`certificate rejected: ${error.problems.join("; ")}`);
        throw error;
      }
      return;
    }
    case "show":
      console.log(JSON.stringify(await identities.summary(projectId)));
      return;
    case "remove":
      if (!(await identities.remove(projectId)))
        throw new UsageError(`project ${projectId} has no certificate of its own`);
      console.log(JSON.stringify({ projectId, removed: true }));
      return;
    default:
      throw new UsageError(`unknown cert command "${sub ?? ""}"\n${USAGE}`);
  }
}

run(process.argv.slice(2)).then(
  () => process.exit(process.exitCode ?? 0),
  (error: unknown) => {
    if (error instanceof HelpRequest) {
      console.log(error.message);
      process.exit(0);
    }
    if (error instanceof UsageError || error instanceof ConfigError) console.error(error.message);
    else console.error(error instanceof Error ? error.message : String(error));
    process.exit(error instanceof UsageError ? 2 : 1);
  },
);
