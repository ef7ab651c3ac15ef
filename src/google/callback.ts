// Google Wallet's save/delete callbacks (POST /google/callback). Each is an ECv2SigningOnly signed message:
// Google's root keys (fetched from GOOGLE_CALLBACK_KEYS_URL, cached) sign an intermediate key, which signs the
// message for sender "GooglePayPasses" and recipient = our issuer id. A verified "save" marks the pass installed
// on Android, "del" uninstalled; a nonce seen before is ignored; anything that does not verify changes nothing.
import { createPublicKey, type KeyObject, verify } from "node:crypto";
import { type Clock, systemClock } from "../clock.js";
import { AppError } from "../errors.js";
import type { GoogleIssuers } from "./credentials.js";
import type { GoogleWallet } from "./google-wallet.js";

export const SENDER_ID = "GooglePayPasses";
const PROTOCOL = "ECv2SigningOnly";

/** The byte string ECv2 signs: each part as a 4-byte little-endian length and its UTF-8 bytes. */
export function lengthValue(...parts: string[]): Buffer {
  return Buffer.concat(
    parts.flatMap((part) => {
      const bytes = Buffer.from(part, "utf8");
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return [length, bytes];
    }),
  );
}

export interface RootKey {
  key: KeyObject;
  expiration: number;
}

/**
 * Google's root signing keys document ({keys: [{keyValue, protocolVersion, keyExpiration}]}): the ECv2SigningOnly
 * keys, each with its expiration (a key without one is not trusted, as Google's own libraries rule).
 */
export function parseRootKeys(document: unknown): RootKey[] {
  const entries = (document as { keys?: unknown } | null)?.keys;
  const keys: RootKey[] = [];
  for (const entry of Array.isArray(entries) ? entries : []) {
    const { keyValue, protocolVersion, keyExpiration } = (entry ?? {}) as Record<string, unknown>;
    const expiration = Number(keyExpiration);
    if (protocolVersion !== PROTOCOL || typeof keyValue !== "string" || !Number.isFinite(expiration)) continue;
    try {
      keys.push({
        key: createPublicKey({ key: Buffer.from(keyValue, "base64"), format: "der", type: "spki" }),
        expiration,
      });
    } catch {}
  }
  return keys;
}

export class CallbackKeys {
  private cached: { keys: RootKey[]; at: number } | undefined;

  constructor(
    private readonly url: string,
    private readonly clock: Clock = systemClock,
    private readonly ttlMs = 3_600_000,
  ) {}

  async keys(refresh = false): Promise<RootKey[]> {
    if (!refresh && this.cached && this.clock.now() - this.cached.at < this.ttlMs) return this.cached.keys;
    const response = await fetch(this.url, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`callback keys: HTTP ${response.status}`);
    const keys = parseRootKeys(await response.json());
    this.cached = { keys, at: this.clock.now() };
    return keys;
  }
}

/** Signatures of the intermediate signing key checked at most (Google signs it with one or two root keys). */
export const MAX_INTERMEDIATE_SIGNATURES = 4;

export interface SignedCallback {
  signature: string;
  intermediateSigningKey: { signedKey: string; signatures: string[] };
  protocolVersion: string;
  signedMessage: string;
}

export interface CallbackMessage {
  classId: string;
  objectId: string;
  expTimeMillis: number | string;
  eventType: string;
  nonce: string;
}

const ecdsa = (key: KeyObject, data: Buffer, signature: string) => {
  try {
    return verify("sha256", data, { key, dsaEncoding: "der" }, Buffer.from(signature, "base64"));
  } catch {
    return false;
  }
};

/** Verifies an ECv2SigningOnly message for `recipientId`; returns why not, or undefined when it verifies. */
export function verificationProblem(
  signed: SignedCallback,
  recipientId: string,
  roots: RootKey[],
  now: number,
): string | undefined {
  if (signed.protocolVersion !== PROTOCOL) return "unsupported protocolVersion";
  const intermediate = signed.intermediateSigningKey;
  // Each signature costs an ECDSA check per root key: a caller may not make us run many (Google sends one or two).
  if (intermediate.signatures.length > MAX_INTERMEDIATE_SIGNATURES) {
    return `more than ${MAX_INTERMEDIATE_SIGNATURES} intermediate signing key signatures`;
  }
  if (intermediate.signatures.some((sig) => typeof sig !== "string" || sig.length > 256)) {
    return "an intermediate signing key signature is not a short base64 string";
  }
  const liveRoots = roots.filter((r) => r.expiration > now);
  const signedKeyData = lengthValue(SENDER_ID, PROTOCOL, intermediate.signedKey);
  const trusted = intermediate.signatures.some((sig) => liveRoots.some((root) => ecdsa(root.key, signedKeyData, sig)));
  if (!trusted) return "the intermediate signing key is not signed by a Google root key";
  let signedKey: { keyValue?: string; keyExpiration?: string };
  try {
    signedKey = JSON.parse(intermediate.signedKey);
  } catch {
    return "the intermediate signing key is not JSON";
  }
  if (!signedKey.keyValue || Number(signedKey.keyExpiration) <= now) return "the intermediate signing key expired";
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(signedKey.keyValue, "base64"), format: "der", type: "spki" });
  } catch {
    return "the intermediate signing key is unreadable";
  }
  const data = lengthValue(SENDER_ID, recipientId, PROTOCOL, signed.signedMessage);
  if (!ecdsa(key, data, signed.signature)) return "the message signature does not verify";
  return undefined;
}

export interface CallbackDeps {
  google: GoogleWallet;
  issuers: GoogleIssuers;
  keys: CallbackKeys;
  clock?: Clock;
}

const isSigned = (body: unknown): body is SignedCallback => {
  const b = body as Partial<SignedCallback> | null;
  return (
    typeof b?.signature === "string" &&
    typeof b.signedMessage === "string" &&
    typeof b.protocolVersion === "string" &&
    typeof b.intermediateSigningKey?.signedKey === "string" &&
    Array.isArray(b.intermediateSigningKey.signatures)
  );
};

const rejected = (why: string) => new AppError("INVALID_SIGNATURE", `Callback rejected: ${why}`);

/** Receives one callback: verifies it and applies it; throws a 401 (or 503 without Google's keys) otherwise. */
export class GoogleCallbacks {
  constructor(private readonly deps: CallbackDeps) {}

  async receive(body: unknown): Promise<{ status: "ok" | "duplicate" }> {
    const { deps } = this;
    if (!isSigned(body)) throw rejected("not an ECv2SigningOnly signed message");
    const signed = body;
    let message: Partial<CallbackMessage>;
    try {
      message = JSON.parse(signed.signedMessage);
    } catch {
      throw rejected("signedMessage is not JSON");
    }
    if (typeof message.objectId !== "string" || typeof message.nonce !== "string") {
      throw rejected("signedMessage lacks objectId or nonce");
    }
    const pass = await deps.google.passOfObject(message.objectId);
    if (!pass) throw rejected("unknown object");
    const issuer = await deps.issuers.forProject(pass.projectId);
    const now = (deps.clock ?? systemClock).now();
    let problem = verificationProblem(signed, issuer.issuerId, await deps.keys.keys(), now);
    if (problem?.includes("root key"))
      problem = verificationProblem(signed, issuer.issuerId, await deps.keys.keys(true), now);
    if (problem) throw rejected(problem);
    if (!(Number(message.expTimeMillis) > now)) throw rejected("the message expired");
    const event = message.eventType === "save" || message.eventType === "del" ? message.eventType : undefined;
    const fresh = await deps.google.recordCallback(message.nonce, pass.passId, event);
    return { status: fresh ? "ok" : "duplicate" };
  }
}
