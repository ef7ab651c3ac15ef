// buildApp: the one factory of the HTTP application, used by the server, the benchmarks and the tests.
// Infrastructure arrives as arguments; nothing here reads the environment or exits the process.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { ApiKeyRepository } from "./accounts/api-key-repository.js";
import { ApiKeyService } from "./accounts/api-keys.js";
import { webServiceRoutes } from "./api/apple/web-service-routes.js";
import { googleCallbackRoutes } from "./api/google/callback-routes.js";
import { badgeRoutes } from "./api/v0/routes.js";
import { BadgeService } from "./api/v0/service.js";
import { PassFromLink } from "./api/v1/adaptive-links/generate.js";
import { LinkRepository } from "./api/v1/adaptive-links/repository.js";
import { adaptiveLinkRoutes, adaptivePassRoutes } from "./api/v1/adaptive-links/routes.js";
import { AdaptiveLinkService } from "./api/v1/adaptive-links/service.js";
import { appleCertificateRoutes } from "./api/v1/apple-certificates/routes.js";
import { downloadRoutes, publicDownloadRoutes } from "./api/v1/downloads/routes.js";
import { DownloadService } from "./api/v1/downloads/service.js";
import { googleCredentialRoutes } from "./api/v1/google-credentials/routes.js";
import { NfcMerchantRepository } from "./api/v1/nfc-merchants/repository.js";
import { nfcMerchantRoutes } from "./api/v1/nfc-merchants/routes.js";
import { NfcMerchantService } from "./api/v1/nfc-merchants/service.js";
import { PassRepository } from "./api/v1/passes/repository.js";
import { passRoutes } from "./api/v1/passes/routes.js";
import { PassService } from "./api/v1/passes/service.js";
import { ProjectRepository } from "./api/v1/projects/repository.js";
import { projectRoutes } from "./api/v1/projects/routes.js";
import { ProjectService } from "./api/v1/projects/service.js";
import { TagRepository } from "./api/v1/tags/repository.js";
import { tagRoutes } from "./api/v1/tags/routes.js";
import { TagService } from "./api/v1/tags/service.js";
import { TemplateRepository } from "./api/v1/templates/repository.js";
import { templateRoutes } from "./api/v1/templates/routes.js";
import { TemplateService } from "./api/v1/templates/service.js";
import { ticketRoutes } from "./api/v1/tickets/routes.js";
import { TicketService } from "./api/v1/tickets/service.js";
import { AppleIdentities } from "./apple/identities.js";
import { ApplePassBuilder } from "./apple/pass-builder.js";
import { Registrations } from "./apple/registrations.js";
import type { AppleSetup } from "./apple/setup.js";
import type { Config } from "./config.js";
import type { DatabaseHandle } from "./db/client.js";
import { GoogleWalletClient } from "./google/api-client.js";
import { CallbackKeys, GoogleCallbacks } from "./google/callback.js";
import { GoogleIssuers } from "./google/credentials.js";
import { GoogleWallet } from "./google/google-wallet.js";
import type { GoogleSetup } from "./google/setup.js";
import { requireApiRevision } from "./http/api-revision.js";
import { requireApiKey } from "./http/auth.js";
import { installEdgeChecks } from "./http/edge.js";
import { installErrorHandling } from "./http/errors.js";
import { installBodyParsers } from "./http/legacy-form.js";
import { loggerOptions } from "./http/logging.js";
import { installMetrics } from "./http/metrics.js";
import { ImageStore } from "./images/image-store.js";
import { imageRoutes } from "./images/routes.js";
import { OutboundGuard } from "./outbound/guard.js";
import type { SecretBox } from "./secrets/encryption.js";

export interface AppDeps {
  readonly db: DatabaseHandle;
  /** Encrypts secrets at rest (private keys). */
  readonly secrets: SecretBox;
  readonly apple: AppleSetup;
  readonly google: GoogleSetup;
}

export interface App {
  readonly http: FastifyInstance;
  readonly apiKeys: ApiKeyService;
  readonly apple: {
    readonly identities: AppleIdentities;
    readonly passes: ApplePassBuilder;
    readonly registrations: Registrations;
  };
  readonly google: {
    readonly issuers: GoogleIssuers;
    readonly wallet: GoogleWallet;
    readonly client: GoogleWalletClient;
  };
}

type AppConfig = Pick<Config, "logLevel" | "authCacheTtlMs" | "bodyLimitBytes" | "publicBaseUrl"> & {
  readonly trustProxy?: Config["trustProxy"];
  /** Where log lines go (default stdout). */
  readonly logStream?: { write(line: string): void };
  readonly imageFetchTimeoutMs?: number;
  readonly google?: Partial<Pick<Config["google"], "apiUrl" | "callbackKeysUrl" | "tokenUrl">>;
  /** Rules for requests made on a caller's behalf (default: public https only). */
  readonly outbound?: Config["outbound"];
  /** Google API client retry pacing (tests shorten it). */
  readonly googleBackoffMs?: number;
};

/** Fastify's trustProxy: a hop count becomes "trust the nearest N hops". */
function trustProxyOption(value: Config["trustProxy"]): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof value === "number" ? (_address, hop) => hop < value : value;
}

export async function buildApp(config: AppConfig, deps: AppDeps): Promise<App> {
  const { prisma, pool } = deps.db;
  const http = Fastify({
    logger: loggerOptions(config.logLevel, config.logStream),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    // Behind a proxy, request.ip must be the client's (anonymous rate limits count by it).
    trustProxy: trustProxyOption(config.trustProxy ?? false),
    // No type coercion: a wrong type is a 400, never silently converted.
    ajv: { customOptions: { removeAdditional: true, coerceTypes: false, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const apiKeys = new ApiKeyService(new ApiKeyRepository(prisma), config.authCacheTtlMs);
  const projectRepository = new ProjectRepository(prisma, pool);
  const projects = new ProjectService(projectRepository);
  const merchants = new NfcMerchantService(projectRepository, new NfcMerchantRepository(prisma));
  const tickets = new TicketService(prisma, pool);
  const templateRepository = new TemplateRepository(prisma, pool);
  const outbound = new OutboundGuard(config.outbound ?? {});
  const images = new ImageStore(pool, { guard: outbound, fetchTimeoutMs: config.imageFetchTimeoutMs });
  const templates = new TemplateService(templateRepository, projectRepository, tickets, images);
  const passRepository = new PassRepository(prisma, pool);
  const passes = new PassService(passRepository, templateRepository, config.publicBaseUrl, images);
  const tagService = new TagService(new TagRepository(pool), passes);
  const identities = new AppleIdentities(pool, deps.secrets, deps.apple.wwdr, deps.apple.defaultIdentity);
  await identities.start(http.log);
  const applePasses = new ApplePassBuilder(pool, identities, images, `${config.publicBaseUrl}/apple`);
  const issuers = new GoogleIssuers(pool, deps.secrets, deps.google.defaultIssuer);
  await issuers.start(http.log);
  const googleClient = new GoogleWalletClient({
    baseUrl: config.google?.apiUrl ?? "https://walletobjects.googleapis.com",
    ...(config.google?.tokenUrl === undefined ? {} : { tokenUrl: config.google.tokenUrl }),
    ...(config.googleBackoffMs === undefined ? {} : { backoffMs: config.googleBackoffMs }),
  });
  const googleWallet = new GoogleWallet({
    pool,
    issuers,
    client: googleClient,
    publicBaseUrl: config.publicBaseUrl,
    log: http.log,
  });
  const downloads = new DownloadService(applePasses, googleWallet, passRepository);
  const registrations = new Registrations(pool);
  const linkRepository = new LinkRepository(pool);
  const adaptiveLinks = new AdaptiveLinkService(linkRepository, passes, pool, config.publicBaseUrl);

  installErrorHandling(http);
  installBodyParsers(http);
  installEdgeChecks(http);
  installMetrics(http, pool);

  await http.register(swagger, {
    openapi: {
      info: {
        title: "Wallet pass server",
        description: "Airship Wallet API compatible pass server. Send Api-Revision: 1.2 (or omit it).",
        version: "1.2",
      },
      servers: [{ url: config.publicBaseUrl }],
      components: {
        securitySchemes: {
          basic: { type: "http", scheme: "basic", description: "API key as user name, secret as password" },
          bearer: { type: "http", scheme: "bearer", description: "The API secret" },
        },
      },
      security: [{ basic: [] }, { bearer: [] }],
    },
  });
  await http.register(swaggerUi, { routePrefix: "/docs" });

  http.get("/health", { schema: { hide: true } }, async (_request, reply) => {
    try {
      await pool.query("SELECT 1");
      return { status: "ok", database: "ok" };
    } catch {
      reply.code(503);
      return { status: "unavailable", database: "unreachable" };
    }
  });

  await http.register(
    async (v1) => {
      requireApiRevision(v1);
      requireApiKey(v1, apiKeys);
      await v1.register(projectRoutes, { projects });
      await v1.register(nfcMerchantRoutes, { merchants });
      await v1.register(templateRoutes, { templates, passes });
      await v1.register(passRoutes, { passes });
      await v1.register(tagRoutes, { tags: tagService, passes });
      await v1.register(ticketRoutes, { tickets });
      await v1.register(downloadRoutes, { downloads });
      await v1.register(appleCertificateRoutes, { identities, projects: projectRepository });
      await v1.register(googleCredentialRoutes, { issuers, projects: projectRepository });
      await v1.register(adaptiveLinkRoutes, { links: adaptiveLinks });
    },
    { prefix: "/v1" },
  );
  await http.register(publicDownloadRoutes, { prefix: "/v1", downloads });
  await http.register(webServiceRoutes, { prefix: "/apple", passes: applePasses, registrations, pool });
  const callbacks = new GoogleCallbacks({
    pool,
    google: googleWallet,
    issuers,
    keys: new CallbackKeys(config.google?.callbackKeysUrl ?? "https://pay.google.com/gp/m/issuer/keys"),
  });
  await http.register(googleCallbackRoutes, { prefix: "/google", callbacks });
  await http.register(imageRoutes, { images });
  const generator = new PassFromLink({
    links: linkRepository,
    passes,
    apple: applePasses,
    google: googleWallet,
    images,
    pool,
    publicBaseUrl: config.publicBaseUrl,
  });
  await http.register(adaptivePassRoutes, { prefix: "/v1", generator });
  const badge = new BadgeService({
    pool,
    passes,
    passRepository,
    links: adaptiveLinks,
    publicBaseUrl: config.publicBaseUrl,
  });
  await http.register(badgeRoutes, { prefix: "/v0", badge, apiKeys });

  await http.ready();
  return {
    http,
    apiKeys,
    apple: { identities, passes: applePasses, registrations },
    google: { issuers, wallet: googleWallet, client: googleClient },
  };
}
