// buildApp: the HTTP application over the services the composition root built (composition.ts), used by the
// server, the benchmarks and the tests. Nothing here reads the environment or exits the process.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import type { Registry } from "prom-client";
import { SCOPES } from "../accounts/scopes.js";
import type { Services } from "../composition.js";
import type { Config } from "../config.js";
import type { DatabaseHandle } from "../db/client.js";
import { imageRoutes } from "../images/routes.js";
import { stopAbandonedRequests } from "./abandoned-requests.js";
import { adaptiveLinkRoutes, adaptivePassRoutes } from "./adaptive-links/routes.js";
import { requireApiRevision } from "./api-revision.js";
import { webServiceRoutes } from "./apple/web-service-routes.js";
import { appleCertificateRoutes } from "./apple-certificates/routes.js";
import { requireApiKey } from "./auth.js";
import { badgeRoutes } from "./badge/routes.js";
import { callbackRoutes } from "./callbacks/routes.js";
import { certificateRoutes } from "./certificates/routes.js";
import { consoleRoutes } from "./console/routes.js";
import { deliveryRoutes } from "./deliveries/routes.js";
import { downloadRoutes, publicDownloadRoutes } from "./downloads/routes.js";
import { installEdgeChecks } from "./edge.js";
import { installErrorHandling } from "./error-replies.js";
import { googleCallbackRoutes } from "./google/callback-routes.js";
import { rotatingBarcodeRoutes } from "./google/rotating-barcode-routes.js";
import { googleCredentialRoutes } from "./google-credentials/routes.js";
import { limitHeavyWork } from "./heavy-work.js";
import { homePage, version } from "./home.js";
import { installBodyParsers } from "./legacy-form.js";
import { loggerOptions } from "./logging.js";
import { installMetrics } from "./metrics.js";
import { nfcMerchantRoutes } from "./nfc-merchants/routes.js";
import { notificationRoutes } from "./notifications/routes.js";
import { tokenRoutes } from "./oauth/routes.js";
import { passExtraRoutes } from "./passes/extra-routes.js";
import { passRoutes } from "./passes/routes.js";
import { previewRoutes } from "./previews/routes.js";
import { ProjectLimit } from "./project-limit.js";
import { projectRoutes } from "./projects/routes.js";
import { scheduleRoutes } from "./schedules/routes.js";
import { segmentRoutes } from "./segments/routes.js";
import { statisticsRoutes } from "./statistics/routes.js";
import { tagRoutes } from "./tags/routes.js";
import { templateRoutes } from "./templates/routes.js";
import { ticketRoutes } from "./tickets/routes.js";
import { travelRoutes } from "./travel/routes.js";

export interface App {
  readonly http: FastifyInstance;
  readonly services: Services;
  readonly apiKeys: Services["apiKeys"];
  readonly apple: Services["apple"];
  readonly google: Services["google"];
  /** What the metrics listener serves. */
  readonly metrics: Registry;
}

type AppConfig = Pick<Config, "logLevel" | "bodyLimitBytes" | "publicBaseUrl"> & {
  /** With a token, GET /metrics on this port answers to `Authorization: Bearer <token>`. */
  readonly metricsToken?: string;
  readonly trustProxy?: Config["trustProxy"];
  /** Where log lines go (default stdout). */
  readonly logStream?: { write(line: string): void };
};

/** Fastify's trustProxy: a hop count becomes "trust the nearest N hops". */
function trustProxyOption(value: Config["trustProxy"]): boolean | string | ((address: string, hop: number) => boolean) {
  return typeof value === "number" ? (_address, hop) => hop < value : value;
}

/** The HTTP application over the composed services (composition.ts builds those). */
export async function buildApp(config: AppConfig, services: Services, db: DatabaseHandle): Promise<App> {
  const { pool } = db;
  const http = Fastify({
    logger: loggerOptions(config.logLevel, config.logStream),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    // Idle keep-alive connections outlive a load balancer's idle timeout (typically 60 s): the balancer, not the
    // server, closes them, so it never reuses a connection the server is closing (a 502).
    keepAliveTimeout: 72_000,
    // A request (headers and body) must arrive within this; a slow client cannot hold a connection open forever.
    requestTimeout: 30_000,
    // Behind a proxy, request.ip must be the client's (anonymous rate limits count by it).
    trustProxy: trustProxyOption(config.trustProxy ?? false),
    // No type coercion: a wrong type is a 400, never silently converted.
    ajv: { customOptions: { removeAdditional: true, coerceTypes: false, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const { apiKeys, projects, merchants, tickets, templates, passes, tags, downloads, adaptiveLinks } = services;
  const projectLimit = new ProjectLimit(services.owners);
  const { identities, passes: applePasses, registrations } = services.apple;

  installErrorHandling(http);
  stopAbandonedRequests(http);
  installBodyParsers(http);
  installEdgeChecks(http);
  const metrics = installMetrics(http, pool, config.metricsToken);

  await http.register(swagger, {
    openapi: {
      info: {
        title: "Wallet pass server",
        description: "Airship Wallet API compatible pass server. Send Api-Revision: 1.2 (or omit it).",
        version: "1.2",
      },
      // Relative: "Try it out" calls the server the document was opened on, whatever PUBLIC_BASE_URL says.
      servers: [{ url: "/" }],
      components: {
        securitySchemes: {
          basic: { type: "http", scheme: "basic", description: "API key as user name, secret as password" },
          bearer: { type: "http", scheme: "bearer", description: "The API secret, or an OAuth access token" },
          oauth2: {
            type: "oauth2",
            description: "Access tokens from POST /token (client credentials: an API key and secret)",
            flows: { clientCredentials: { tokenUrl: "/token", scopes: { ...SCOPES } } },
          },
        },
      },
      security: [{ basic: [] }, { bearer: [] }],
    },
  });
  await http.register(swaggerUi, { routePrefix: "/docs" });

  http.get("/", { schema: { hide: true } }, async (_request, reply) =>
    reply.type("text/html; charset=utf-8").send(homePage(version)),
  );
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
      requireApiKey(v1, apiKeys, services.tokens, projectLimit.check, services.consoleSessions);
      limitHeavyWork(v1);
      await v1.register(projectRoutes, { projects });
      await v1.register(nfcMerchantRoutes, { merchants });
      await v1.register(templateRoutes, { templates, passes });
      await v1.register(previewRoutes, { previews: services.previews });
      await v1.register(passRoutes, { passes, downloads });
      await v1.register(passExtraRoutes, {
        passes,
        installations: services.installations,
        history: services.passHistory,
      });
      await v1.register(tagRoutes, { tags, passes });
      await v1.register(callbackRoutes, { callbacks: services.callbacks });
      await v1.register(deliveryRoutes, { deliveries: services.deliveries });
      await v1.register(notificationRoutes, { notifications: services.notifications });
      await v1.register(segmentRoutes, { segments: services.segments });
      await v1.register(scheduleRoutes, { schedules: services.schedules });
      await v1.register(statisticsRoutes, { statistics: services.statistics });
      await v1.register(ticketRoutes, { tickets });
      await v1.register(downloadRoutes, { downloads });
      await v1.register(appleCertificateRoutes, { identities, projects: services.projectRepository });
      await v1.register(googleCredentialRoutes, {
        issuers: services.google.issuers,
        projects: services.projectRepository,
      });
      await v1.register(adaptiveLinkRoutes, { links: adaptiveLinks });
      await v1.register(travelRoutes, { travel: services.travel });
      await v1.register(certificateRoutes, { certificates: services.certificates });
      await v1.register(rotatingBarcodeRoutes, { passes, wallet: services.google.wallet });
    },
    { prefix: "/v1" },
  );
  await http.register(publicDownloadRoutes, { prefix: "/v1", downloads });
  await http.register(webServiceRoutes, {
    prefix: "/apple",
    passes: applePasses,
    registrations,
    signUps: services.apple.signUps,
    clock: services.clock,
  });
  await http.register(googleCallbackRoutes, { prefix: "/google", callbacks: services.google.callbacks });
  await http.register(imageRoutes, { images: services.images });
  await http.register(adaptivePassRoutes, { prefix: "/v1", passFromLink: services.passFromLink });
  await http.register(badgeRoutes, {
    prefix: "/v0",
    badge: services.badge,
    webhooks: services.webhooks,
    auth: (app) => requireApiKey(app, apiKeys, services.tokens, projectLimit.check, services.consoleSessions),
  });
  await http.register(tokenRoutes, { apiKeys, tokens: services.tokens });
  await http.register(consoleRoutes, { sessions: services.consoleSessions });

  await http.ready();
  return { http, services, apiKeys, apple: services.apple, google: services.google, metrics };
}
