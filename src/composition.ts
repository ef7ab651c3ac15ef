// The composition root: the one place where the application's services are built from configuration and the
// outside world (database, secrets, clock, APNs and Google endpoints, outbound rules). The server, the worker
// process, the CLI, the tests and the benchmarks all build them here; buildApp (app.ts) only adds HTTP on top,
// and the job worker only runs the `jobs` this returns.

import { createPrivateKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { AccessTokens } from "./accounts/access-tokens.js";
import { ApiKeyRepository } from "./accounts/api-key-repository.js";
import { ApiKeyService } from "./accounts/api-keys.js";
import { ConsoleSessionStore } from "./accounts/console-session-store.js";
import { ConsoleSessions } from "./accounts/console-sessions.js";
import { ApnsClient, type ApnsOptions } from "./apple/apns.js";
import { AppleIdentities } from "./apple/identities.js";
import { ApplePassBuilder } from "./apple/pass-builder.js";
import { applePushSubscriber } from "./apple/push-subscriber.js";
import { Registrations } from "./apple/registration-store.js";
import type { AppleSetup } from "./apple/setup.js";
import { SignUps } from "./apple/sign-up-store.js";
import { AppleWalletAdapter } from "./apple/wallet-adapter.js";
import { AudienceResolver } from "./audiences/audience-store.js";
import { type Clock, systemClock } from "./clock.js";
import type { Config } from "./config.js";
import { PassFromLink } from "./core/adaptive-links/pass-from-link.js";
import { LinkRepository } from "./core/adaptive-links/repository.js";
import { AdaptiveLinkService } from "./core/adaptive-links/service.js";
import { BadgeRepository } from "./core/badge/repository.js";
import { BadgeService } from "./core/badge/service.js";
import { CallbackRepository } from "./core/callbacks/repository.js";
import { CallbackService } from "./core/callbacks/service.js";
import { CertificateService } from "./core/certificates/service.js";
import { DeliveryService } from "./core/deliveries/service.js";
import { DownloadService } from "./core/downloads/service.js";
import { InstallationService } from "./core/installations/service.js";
import { NfcMerchantRepository } from "./core/nfc-merchants/repository.js";
import { NfcMerchantService } from "./core/nfc-merchants/service.js";
import { NotificationRepository } from "./core/notifications/repository.js";
import { NotificationService } from "./core/notifications/service.js";
import { PassHistoryService } from "./core/pass-history/service.js";
import { PassRepository } from "./core/passes/repository.js";
import { PassService } from "./core/passes/service.js";
import { PreviewService } from "./core/previews/service.js";
import { OwnershipStore } from "./core/projects/ownership-store.js";
import { ProjectRepository } from "./core/projects/repository.js";
import { ProjectService } from "./core/projects/service.js";
import { ScheduleRepository } from "./core/schedules/repository.js";
import { ScheduleService } from "./core/schedules/service.js";
import { SegmentRepository } from "./core/segments/repository.js";
import { SegmentService } from "./core/segments/service.js";
import { StatisticsRepository } from "./core/statistics/repository.js";
import { StatisticsService } from "./core/statistics/service.js";
import { TagRepository } from "./core/tags/repository.js";
import { TagService } from "./core/tags/service.js";
import { TemplateRepository } from "./core/templates/repository.js";
import { TemplateService } from "./core/templates/service.js";
import { TicketRepository } from "./core/tickets/repository.js";
import { TicketService } from "./core/tickets/service.js";
import { TravelService } from "./core/travel/service.js";
import { TravelStore } from "./core/travel/store.js";
import { WebhookEndpointRepository } from "./core/webhooks/repository.js";
import { WebhookEndpointService } from "./core/webhooks/service.js";
import type { DatabaseHandle } from "./db/client.js";
import { inTransaction } from "./db/transaction.js";
import { queueProjectCallbacks } from "./deliveries/callback-event-store.js";
import { DeliveryQueue } from "./deliveries/delivery-store.js";
import { DeliveryDispatcher } from "./deliveries/dispatcher.js";
import { receiversOf } from "./deliveries/receivers.js";
import { queueBadgeWebhooks } from "./deliveries/webhook-event-store.js";
import type { PassChangedSubscriber, TemplateChangedSubscriber } from "./domain/wallet-port.js";
import { countDailyActivity } from "./events/daily-activity-store.js";
import { followPassEvents } from "./events/pass-event-store.js";
import { GoogleWalletClient } from "./google/api-client.js";
import { CallbackKeys, GoogleCallbacks } from "./google/callback.js";
import { GoogleIssuers } from "./google/credentials.js";
import { GoogleWallet } from "./google/google-wallet.js";
import { GOOGLE_DEFAULT_REQUESTS_PER_SECOND } from "./google/rate-gate.js";
import { PostgresRateGate } from "./google/rate-gate-store.js";
import type { GoogleSetup } from "./google/setup.js";
import { GoogleWalletAdapter } from "./google/wallet-adapter.js";
import { ImageStore } from "./images/image-store.js";
import { startAudienceUpdate } from "./jobs/audience-update.js";
import { deliverPassEvents } from "./jobs/queue-store.js";
import { OutboundGuard } from "./outbound/guard.js";
import type { SecretBox } from "./secrets/encryption.js";

export interface Log {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

/** What the services need of the configuration (tests hand in a small object). */
export type ServicesConfig = Pick<Config, "publicBaseUrl" | "authCacheTtlMs"> & {
  readonly imageFetchTimeoutMs?: number;
  readonly google?: Partial<Pick<Config["google"], "apiUrl" | "callbackKeysUrl" | "tokenUrl" | "maxRequestsPerSecond">>;
  readonly outbound?: Config["outbound"];
  /** The first delivery retry's delay (tests shorten it). */
  readonly deliveryRetryBaseMs?: number;
  /** Google API client retry pacing (tests shorten it). */
  readonly googleBackoffMs?: number;
};

/** The world outside the process. */
export interface Outside {
  readonly db: DatabaseHandle;
  /** Encrypts secrets at rest (private keys). */
  readonly secrets: SecretBox;
  readonly apple: AppleSetup;
  readonly google: GoogleSetup;
  /** Where and how APNs is reached (default: api.push.apple.com with the pass certificates). */
  readonly apns?: ApnsOptions;
  readonly clock?: Clock;
  readonly log: Log;
}

/** The APNs options the configuration describes (token key and CA files read once). */
export function apnsOptionsOf(config: Config["apns"]): ApnsOptions {
  return {
    host: config.host,
    ...(config.caFile ? { ca: readFileSync(config.caFile, "utf8") } : {}),
    ...(config.keyFile && config.keyId && config.teamId
      ? { token: { key: createPrivateKey(readFileSync(config.keyFile)), keyId: config.keyId, teamId: config.teamId } }
      : {}),
  };
}

export type Services = Awaited<ReturnType<typeof composeServices>>;

/** Builds every service once; `jobs` is what a job worker runs (close() ends its APNs connections). */
export async function composeServices(config: ServicesConfig, outside: Outside) {
  const { pool } = outside.db;
  const clock = outside.clock ?? systemClock;
  // The pass-event log is the outbox: the job queue follows it, queuing each change's delivery in its transaction.
  followPassEvents(deliverPassEvents);
  const apiKeyRepository = new ApiKeyRepository(pool);
  const apiKeys = new ApiKeyService(apiKeyRepository, config.authCacheTtlMs, () => clock.now());
  const tokens = new AccessTokens(pool, outside.secrets, () => clock.now());
  const owners = new OwnershipStore(pool);
  const projectRepository = new ProjectRepository(pool, clock);
  const projects = new ProjectService(projectRepository);
  const merchants = new NfcMerchantService(projectRepository, new NfcMerchantRepository(pool, clock), clock);
  const tickets = new TicketService(new TicketRepository(pool));
  const templateRepository = new TemplateRepository(pool, clock);
  const outbound = new OutboundGuard(config.outbound ?? {});
  const images = new ImageStore(pool, { guard: outbound, fetchTimeoutMs: config.imageFetchTimeoutMs, clock });
  const templates = new TemplateService(templateRepository, projectRepository, tickets, images);
  const passRepository = new PassRepository(pool);
  const passes = new PassService(passRepository, templateRepository, config.publicBaseUrl, images, clock);
  const tagRepository = new TagRepository(pool);
  const tags = new TagService(tagRepository, passes);
  const callbackRepository = new CallbackRepository(pool, outside.secrets);
  const projectCallbacks = new CallbackService(callbackRepository, projectRepository, outbound);
  const webhookEndpointRepository = new WebhookEndpointRepository(pool, outside.secrets);
  const webhooks = new WebhookEndpointService(webhookEndpointRepository, outbound);
  const notifications = new NotificationService(new NotificationRepository(pool), passes, templates, tagRepository);
  const segments = new SegmentService(new SegmentRepository(pool), projectRepository, passes, notifications);
  const statistics = new StatisticsService(new StatisticsRepository(pool), projectRepository, templates, () =>
    clock.now(),
  );
  const schedules = new ScheduleService(
    new ScheduleRepository(pool),
    projectRepository,
    new AudienceResolver(pool),
    passes,
    notifications,
    clock,
    config.publicBaseUrl,
  );
  const identities = new AppleIdentities(
    pool,
    outside.secrets,
    outside.apple.wwdr,
    clock,
    outside.apple.defaultIdentity,
  );
  await identities.start(outside.log);
  const applePasses = new ApplePassBuilder(pool, identities, images, `${config.publicBaseUrl}/apple`, clock);
  const issuers = new GoogleIssuers(pool, outside.secrets, outside.google.defaultIssuer);
  await issuers.start(outside.log);
  const googleGate = new PostgresRateGate(
    pool,
    config.google?.maxRequestsPerSecond ?? GOOGLE_DEFAULT_REQUESTS_PER_SECOND,
  );
  const googleClient = new GoogleWalletClient({
    baseUrl: config.google?.apiUrl ?? "https://walletobjects.googleapis.com",
    ...(config.google?.tokenUrl === undefined ? {} : { tokenUrl: config.google.tokenUrl }),
    ...(config.googleBackoffMs === undefined ? {} : { backoffMs: config.googleBackoffMs }),
    gate: googleGate,
    clock,
  });
  const googleWallet = new GoogleWallet({
    pool,
    issuers,
    client: googleClient,
    publicBaseUrl: config.publicBaseUrl,
    clock,
    log: outside.log,
    secrets: outside.secrets,
  });
  const registrations = new Registrations(pool, clock);
  // One wallet adapter per vendor (domain/wallet-port.ts): what a pass is handed out as, and how its changes reach
  // the phones (Apple: APNs pushes, connecting on the first; Google: object and class syncs).
  const apns = new ApnsClient({ ...(outside.apns ?? { host: "api.push.apple.com:443" }), clock });
  const wallets = {
    Apple: new AppleWalletAdapter(
      applePasses,
      applePushSubscriber({ registrations, identities, apns, log: outside.log }),
      registrations,
    ),
    Google: new GoogleWalletAdapter(googleWallet),
  };
  const downloads = new DownloadService(applePasses, wallets, passRepository);
  const previews = new PreviewService({
    passes,
    apple: applePasses,
    google: googleWallet,
    images,
    publicBaseUrl: config.publicBaseUrl,
  });
  const installations = new InstallationService({
    passes,
    vendorOf: (passId) => passRepository.vendorOf(passId),
    wallets,
  });
  const passHistory = new PassHistoryService({ db: pool, passes });
  const linkRepository = new LinkRepository(pool);
  const travel = new TravelService({
    store: new TravelStore(pool),
    projects: projectRepository,
    passes,
    startUpdate: startAudienceUpdate,
    inTransaction: (work) => inTransaction(pool, work),
  });
  const adaptiveLinks = new AdaptiveLinkService(linkRepository, passes, travel, config.publicBaseUrl, clock);
  const passFromLink = new PassFromLink({
    links: linkRepository,
    passes,
    apple: applePasses,
    google: googleWallet,
    images,
    publicBaseUrl: config.publicBaseUrl,
    clock,
    previews,
  });
  const badge = new BadgeService({
    badge: new BadgeRepository(pool),
    passes,
    passRepository,
    links: adaptiveLinks,
    notifications,
    publicBaseUrl: config.publicBaseUrl,
  });
  const callbacks = new GoogleCallbacks({
    google: googleWallet,
    issuers,
    keys: new CallbackKeys(config.google?.callbackKeysUrl ?? "https://pay.google.com/gp/m/issuer/keys", clock),
    clock,
  });

  // What the job worker runs after pass and template changes: every wallet follows them.
  const subscribers: PassChangedSubscriber[] = Object.values(wallets).map((wallet) => wallet.follow);
  const templateSubscribers: TemplateChangedSubscriber[] = Object.values(wallets).map((w) => w.followTemplate);
  // Outbound deliveries (project callbacks, Badge webhooks): queued from the pass-event log, sent through the
  // outbound guard.
  const deliveryQueue = new DeliveryQueue(pool);
  const deliveries = new DeliveryService({ queue: deliveryQueue, projects: projectRepository });
  const dispatcher = new DeliveryDispatcher({
    queue: deliveryQueue,
    guard: outbound,
    receiverOf: receiversOf({
      callback: (projectId) => callbackRepository.get(projectId),
      webhookEndpoint: (id) => webhookEndpointRepository.signing(id),
      disableWebhookEndpoint: (id, reason) => webhookEndpointRepository.disable(id, reason),
      now: () => clock.now(),
    }),
    clock,
    ...(config.deliveryRetryBaseMs === undefined ? {} : { retryBaseMs: config.deliveryRetryBaseMs }),
    log: outside.log,
  });
  const outboundRound = async () =>
    (await queueProjectCallbacks(pool)) + (await queueBadgeWebhooks(pool)) + (await dispatcher.dispatchDue());

  return {
    clock,
    apiKeys,
    tokens,
    consoleSessions: new ConsoleSessions(new ConsoleSessionStore(pool), apiKeys, apiKeyRepository, () => clock.now()),
    owners,
    projects,
    projectRepository,
    merchants,
    tickets,
    templates,
    passes,
    passRepository,
    tags,
    notifications,
    downloads,
    installations,
    passHistory,
    deliveries,
    previews,
    images,
    apple: { identities, passes: applePasses, registrations, signUps: new SignUps(pool) },
    google: { issuers, wallet: googleWallet, client: googleClient, callbacks },
    adaptiveLinks,
    travel,
    certificates: new CertificateService(identities),
    passFromLink,
    badge,
    webhooks,
    segments,
    schedules,
    statistics,
    callbacks: projectCallbacks,
    jobs: {
      /** The worker's periodic rounds; `fast` shortens their idle pauses (tests). */
      rounds: (fast = false) => [
        { name: "outbound deliveries", round: outboundRound, intervalMs: fast ? 50 : 500 },
        { name: "schedules", round: () => schedules.runDue(), intervalMs: fast ? 100 : 1000 },
        { name: "daily activity", round: () => countDailyActivity(pool), intervalMs: fast ? 100 : 2000 },
      ],
      subscribers,
      templateSubscribers,
      close: () => {
        apns.close();
        outbound.close();
        void googleGate.close().catch(() => undefined);
      },
    },
  };
}
