// buildApp: the one factory of the HTTP application, used by the server, the benchmarks and the tests.
// Infrastructure arrives as arguments; nothing here reads the environment or exits the process.
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import Fastify, { type FastifyInstance } from "fastify";
import { ApiKeyRepository } from "./accounts/api-key-repository.js";
import { ApiKeyService } from "./accounts/api-keys.js";
import { NfcMerchantRepository } from "./api/v1/nfc-merchants/repository.js";
import { nfcMerchantRoutes } from "./api/v1/nfc-merchants/routes.js";
import { NfcMerchantService } from "./api/v1/nfc-merchants/service.js";
import { PassRepository } from "./api/v1/passes/repository.js";
import { passRoutes } from "./api/v1/passes/routes.js";
import { PassService } from "./api/v1/passes/service.js";
import { ProjectRepository } from "./api/v1/projects/repository.js";
import { projectRoutes } from "./api/v1/projects/routes.js";
import { ProjectService } from "./api/v1/projects/service.js";
import { TemplateRepository } from "./api/v1/templates/repository.js";
import { templateRoutes } from "./api/v1/templates/routes.js";
import { TemplateService } from "./api/v1/templates/service.js";
import { ticketRoutes } from "./api/v1/tickets/routes.js";
import { TicketService } from "./api/v1/tickets/service.js";
import type { Config } from "./config.js";
import type { DatabaseHandle } from "./db/client.js";
import { requireApiRevision } from "./http/api-revision.js";
import { requireApiKey } from "./http/auth.js";
import { installErrorHandling } from "./http/errors.js";
import { installBodyParsers } from "./http/legacy-form.js";
import { loggerOptions } from "./http/logging.js";
import { installMetrics } from "./http/metrics.js";

export interface AppDeps {
  readonly db: DatabaseHandle;
}

export interface App {
  readonly http: FastifyInstance;
  readonly apiKeys: ApiKeyService;
}

type AppConfig = Pick<Config, "logLevel" | "authCacheTtlMs" | "bodyLimitBytes" | "publicBaseUrl">;

export async function buildApp(config: AppConfig, deps: AppDeps): Promise<App> {
  const { prisma, pool } = deps.db;
  const http = Fastify({
    logger: loggerOptions(config.logLevel),
    bodyLimit: config.bodyLimitBytes,
    requestIdHeader: "x-request-id",
    // No type coercion: a wrong type is a 400, never silently converted.
    ajv: { customOptions: { removeAdditional: true, coerceTypes: false, useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  const apiKeys = new ApiKeyService(new ApiKeyRepository(prisma), config.authCacheTtlMs);
  const projectRepository = new ProjectRepository(prisma, pool);
  const projects = new ProjectService(projectRepository);
  const merchants = new NfcMerchantService(projectRepository, new NfcMerchantRepository(prisma));
  const tickets = new TicketService(prisma, pool);
  const templateRepository = new TemplateRepository(prisma, pool);
  const templates = new TemplateService(templateRepository, projectRepository, tickets);
  const passes = new PassService(new PassRepository(prisma, pool), templateRepository, config.publicBaseUrl);

  installErrorHandling(http);
  installBodyParsers(http);
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
      await v1.register(ticketRoutes, { tickets });
    },
    { prefix: "/v1" },
  );

  await http.ready();
  return { http, apiKeys };
}
