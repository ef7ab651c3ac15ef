// Apple's PassKit web service, mounted at /apple (each pass's webServiceURL is PUBLIC_BASE_URL/apple, so Wallet's
// /v1/... requests never meet the Airship /v1 routes). Wallet authenticates with "ApplePass <token>", the pass's
// authenticationToken; a wrong or missing token gets a 401 and no pass bytes.
import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { ApplePassBuilder, PassAccess } from "../../apple/pass-builder.js";
import { MAX_DEVICES_PER_PASS, type Registrations, SETTLE_MS } from "../../apple/registration-store.js";
import type { SignUps } from "../../apple/sign-up-store.js";
import { personalizationInfo, requiredFieldsOf, SIGN_UP_VALUE_MAX } from "../../apple/sign-ups.js";
import type { Clock } from "../../clock.js";
import { traitsOf } from "../../domain/vendors.js";
import { PKPASS_TYPE } from "../../domain/wallet-port.js";
import { AppError, notFound } from "../../errors.js";
import { enforce, RateLimiter } from "../rate-limit.js";
import { EmptyObject, NoBody, PkpassFile } from "../schema-kit.js";

const PassTypeParam = Type.String({ pattern: "^[A-Za-z0-9.-]{1,255}$" });
const SerialParam = Type.String({ minLength: 1, maxLength: 255 });
const DeviceParam = Type.String({ pattern: "^[A-Za-z0-9_.-]{1,255}$" });

const unauthorized = () => new AppError("UNAUTHORIZED", "Missing or wrong ApplePass authorization");

function tokenMatches(header: string | undefined, expected: string): boolean {
  const match = /^ApplePass\s+(\S+)$/.exec(header ?? "");
  if (!match) return false;
  const given = Buffer.from(match[1]!);
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** Largest body an anonymous web-service request may send. */
export const ANONYMOUS_BODY_LIMIT = 64 * 1024;

export interface WebServiceDeps {
  passes: ApplePassBuilder;
  registrations: Registrations;
  signUps: SignUps;
  clock: Clock;
}

export const webServiceRoutes: FastifyPluginAsyncTypebox<WebServiceDeps> = async (app, deps) => {
  const { passes, registrations } = deps;
  // Wallet's requests are small: an anonymous caller may not send megabytes.
  app.addHook("onRoute", (route) => {
    route.bodyLimit ??= ANONYMOUS_BODY_LIMIT;
  });
  // Anonymous limits, per process (see docs/security.md): registrations come often for a shared pass; a sign-up
  // happens once per pass.
  const registrationsPerPass = new RateLimiter({ limit: 1200, windowMs: 60_000 });
  const registrationsPerAddress = new RateLimiter({ limit: 300, windowMs: 60_000 });
  const personalizePerPass = new RateLimiter({ limit: 5, windowMs: 600_000 });
  const personalizePerAddress = new RateLimiter({ limit: 20, windowMs: 600_000 });
  const logsPerAddress = new RateLimiter({ limit: 60, windowMs: 60_000 });

  /** The pass a request names, when its type matches and the ApplePass token is right; else 401. */
  async function authorizedPass(
    request: FastifyRequest,
    passTypeIdentifier: string,
    serialNumber: string,
  ): Promise<PassAccess> {
    const record = await passes.accessBySerial(serialNumber);
    if (!record || !traitsOf(record.vendor).passKit) throw unauthorized();
    if (!tokenMatches(request.headers.authorization, record.authenticationToken)) throw unauthorized();
    const identity = await passes.identityOf(record);
    if (identity.passTypeIdentifier !== passTypeIdentifier) throw unauthorized();
    return record;
  }

  const registrationParams = Type.Object({
    device: DeviceParam,
    passTypeIdentifier: PassTypeParam,
    serialNumber: SerialParam,
  });

  app.post(
    "/v1/devices/:device/registrations/:passTypeIdentifier/:serialNumber",
    {
      schema: {
        tags: ["Apple PassKit web service"],
        summary: "Register a device for a pass's updates (201 new, 200 known)",
        params: registrationParams,
        body: Type.Object({ pushToken: Type.String({ pattern: "^[A-Za-z0-9_-]{1,512}$" }) }),
        response: { 200: EmptyObject, 201: EmptyObject },
      },
    },
    async (request, reply) => {
      const { device, passTypeIdentifier, serialNumber } = request.params;
      const record = await authorizedPass(request, passTypeIdentifier, serialNumber);
      enforce("device registrations", [registrationsPerPass, `${record.id}`], [registrationsPerAddress, request.ip]);
      const outcome = await registrations.register(device, record.id, passTypeIdentifier, request.body.pushToken);
      if (outcome === "full") {
        throw new AppError("DEVICE_LIMIT", `This pass is registered on ${MAX_DEVICES_PER_PASS} devices already`);
      }
      if (outcome === "gone") throw unauthorized(); // deleted while the request ran: as if it never existed
      return reply.code(outcome === "created" ? 201 : 200).send({});
    },
  );

  app.delete(
    "/v1/devices/:device/registrations/:passTypeIdentifier/:serialNumber",
    {
      schema: {
        tags: ["Apple PassKit web service"],
        summary: "Unregister a device from a pass",
        params: registrationParams,
        response: { 200: EmptyObject },
      },
    },
    async (request, reply) => {
      const { device, passTypeIdentifier, serialNumber } = request.params;
      const record = await authorizedPass(request, passTypeIdentifier, serialNumber);
      await registrations.unregister(device, record.id);
      return reply.code(200).send({});
    },
  );

  app.get(
    "/v1/devices/:device/registrations/:passTypeIdentifier",
    {
      schema: {
        tags: ["Apple PassKit web service"],
        summary: "Serial numbers of the device's passes updated since a tag (204 when none)",
        params: Type.Object({ device: DeviceParam, passTypeIdentifier: PassTypeParam }),
        querystring: Type.Object({ passesUpdatedSince: Type.Optional(Type.String({ pattern: "^[0-9]{1,15}$" })) }),
        response: {
          200: Type.Object({ serialNumbers: Type.Array(Type.String()), lastUpdated: Type.String() }),
          204: NoBody("No pass of the device changed since the tag"),
        },
      },
    },
    async (request, reply) => {
      const { device, passTypeIdentifier } = request.params;
      const since = request.query.passesUpdatedSince;
      const result = await registrations.updatedSince(
        device,
        passTypeIdentifier,
        since === undefined ? undefined : Number(since),
      );
      if (result.serialNumbers.length === 0) return reply.code(204).send();
      return result;
    },
  );

  app.get(
    "/v1/passes/:passTypeIdentifier/:serialNumber",
    {
      schema: {
        tags: ["Apple PassKit web service"],
        summary: "The latest version of a pass (304 when not modified since If-Modified-Since)",
        params: Type.Object({ passTypeIdentifier: PassTypeParam, serialNumber: SerialParam }),
        response: { 200: PkpassFile, 304: NoBody("Not modified since If-Modified-Since") },
      },
    },
    async (request, reply) => {
      const { passTypeIdentifier, serialNumber } = request.params;
      const record = await authorizedPass(request, passTypeIdentifier, serialNumber);
      const changed = record.updatedAt.getTime();
      const since = Date.parse(request.headers["if-modified-since"] ?? "");
      const settled = changed < deps.clock.now() - SETTLE_MS;
      reply.header("last-modified", record.updatedAt.toUTCString());
      if (settled && Number.isFinite(since) && Math.floor(changed / 1000) * 1000 <= since) {
        return reply.code(304).send();
      }
      const full = await passes.byId(null, record.id);
      if (!full) throw unauthorized(); // deleted meanwhile
      const bundle = await passes.bundle(full);
      return reply.header("content-type", PKPASS_TYPE).header("cache-control", "no-store").send(bundle);
    },
  );

  app.post(
    "/v1/log",
    {
      schema: {
        tags: ["Apple PassKit web service"],
        summary: "Wallet's error log messages",
        body: Type.Object({ logs: Type.Array(Type.String({ maxLength: 10_000 }), { maxItems: 1000 }) }),
        response: { 200: EmptyObject },
      },
    },
    async (request) => {
      // Anyone may post here: a flood of "log messages" must not flood the operator's logs.
      enforce("log messages", [logsPerAddress, request.ip]);
      for (const message of request.body.logs.slice(0, 100)) {
        request.log.warn({ walletLog: message.slice(0, 2000) }, "Apple Wallet reported a problem");
      }
      return {};
    },
  );

  app.post(
    "/v1/passes/:passTypeIdentifier/:serialNumber/personalize",
    {
      schema: {
        tags: ["Apple PassKit web service"],
        summary: "A holder's sign-up information: stored once, and Wallet's personalization token signed",
        params: Type.Object({ passTypeIdentifier: PassTypeParam, serialNumber: SerialParam }),
        body: Type.Object({
          // Wallet's token: an opaque base64-style string. JSON or anything else shaped like a document to sign
          // (a manifest) is refused: the merchant's certificate signs only tokens.
          personalizationToken: Type.String({ pattern: "^[A-Za-z0-9+/=_.-]{1,1024}$" }),
          requiredPersonalizationInfo: Type.Record(
            Type.String({ maxLength: 64 }),
            Type.String({ maxLength: SIGN_UP_VALUE_MAX }),
            { maxProperties: 16 },
          ),
        }),
        response: {
          200: {
            description: "The personalization token signed with the pass certificate (detached PKCS #7)",
            content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
          },
        },
      },
    },
    async (request, reply) => {
      const { passTypeIdentifier, serialNumber } = request.params;
      enforce("personalization requests", [personalizePerAddress, request.ip]);
      const target = await deps.signUps.target(serialNumber);
      if (!target || !traitsOf(target.vendor).passKit) throw notFound("Pass");
      enforce("personalization requests", [personalizePerPass, `${target.id}`]);
      // Wallet sends no ApplePass header here; one that is sent must be right.
      if (
        request.headers.authorization !== undefined &&
        !tokenMatches(request.headers.authorization, target.authenticationToken)
      ) {
        throw unauthorized();
      }
      const identity = await passes.identityOf(target);
      if (identity.passTypeIdentifier !== passTypeIdentifier) throw notFound("Pass");
      const required = requiredFieldsOf(target.requirements);
      if (!required) throw new AppError("NOT_PERSONALIZABLE", "This pass does not ask for personalization");
      if (target.personalized) throw alreadyPersonalized();
      const info = personalizationInfo(request.body.requiredPersonalizationInfo, required);
      if (!(await deps.signUps.keep(target.id, info))) throw alreadyPersonalized();
      const signature = identity.signer.sign(
        Buffer.from(request.body.personalizationToken, "utf8"),
        new Date(deps.clock.now()),
      );
      return reply.header("content-type", "application/octet-stream").send(signature);
    },
  );
};

const alreadyPersonalized = () => new AppError("ALREADY_PERSONALIZED", "This pass has been personalized already");
