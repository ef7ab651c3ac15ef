// Google save links ("Add to Google Wallet"): a signed JWT carrying a pass's class and object, or only their ids
// once they were made through the API (too long to carry, a rotating barcode's key, several passes at once).
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import { enqueuePassDeliveries } from "../jobs/queue-store.js";
import { GoogleApiError, type GoogleWalletClient, jwtHeader, signJwt } from "./api-client.js";
import { type GoogleBodies, hash } from "./bodies.js";
import type { GoogleIssuer, GoogleIssuers } from "./credentials.js";
import { type GoogleKind, resourceOf } from "./mapping.js";
import type { GoogleSyncStore } from "./sync-store.js";

export const MAX_JWT_LENGTH = 1800;
/** base64url of Google's signJwt header, {"alg":"RS256","kid":"<40 hex>","typ":"JWT"}, with room to spare. */
const KEYLESS_HEADER_LENGTH = 100;
/** An RS256 signature by a 2048-bit key, base64url. */
const RS256_SIGNATURE_LENGTH = 342;
export const SAVE_URL = "https://pay.google.com/gp/v/save/";

/** A save link whose object Google could not take just now: 503 with Retry-After. */
class GoogleUnavailable extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super("GOOGLE_UNAVAILABLE", `Google Wallet is not accepting the pass just now; retry in ${retryAfterSeconds} s`);
  }
}

export interface SaveLinkDeps {
  bodies: GoogleBodies;
  store: GoogleSyncStore;
  issuers: GoogleIssuers;
  client: GoogleWalletClient;
  publicBaseUrl: string;
  clock: Clock;
  /** Makes (or brings up to date) these passes' objects at Google. */
  syncPasses(passIds: number[]): Promise<void>;
}

export class GoogleSaveLinks {
  /** Keyless issuers' signed save links, by issuer and payload (so per pass version). */
  private readonly signedLinks = new Map<string, { jwt: string; at: number }>();

  constructor(private readonly deps: SaveLinkDeps) {}

  /**
   * The "Add to Google Wallet" URL of a pass: a signed JWT carrying the class and object, or — when that would
   * be longer than 1,800 characters — only their ids, after inserting them through the API.
   */
  async saveUrl(passId: number): Promise<string> {
    const [pass] = await this.deps.bodies.passes([passId]);
    if (!pass) throw new Error(`pass ${passId} is not a Google pass`);
    const template = (await this.deps.bodies.template(pass.templateId))!;
    const issuer = await this.deps.issuers.forProject(template.projectId);
    const { fields: objectFields } = await this.deps.bodies.knownObjectFields(template, [pass]);
    const kind: GoogleKind = this.deps.bodies.kindOf(template, pass.group);
    const klass = this.deps.bodies.classBody(issuer, template, objectFields, pass.group);
    const { body: object } = this.deps.bodies.objectBody(issuer, template, pass, objectFields);
    // A rotating barcode's key never travels in a link: such an object is made through the API first (below), and
    // a development link (nothing can be made at Google) goes without it.
    const rotating = "rotatingBarcode" in object;
    if (rotating && issuer.development) delete object.rotatingBarcode;
    const full = this.claims(issuer, { [`${kind}Classes`]: [klass], [`${kind}Objects`]: [object] });
    const first = await this.deps.store.markHandedOut(passId, object.id as string);
    if ((!rotating || issuer.development) && this.jwtLength(issuer, full) <= MAX_JWT_LENGTH) {
      // The link carries the object; it is also made through the API (by a job), so updates find it at once.
      if (first && !issuer.development) await enqueuePassDeliveries(this.deps.store.pool, [passId]);
      return `${SAVE_URL}${await this.signSaveJwt(issuer, full)}`;
    }
    // Too long to carry the object: it must exist at Google before the link is used.
    if (!issuer.development && (await this.deps.store.objectHash(passId)) !== hash(object)) {
      try {
        await this.deps.syncPasses([passId]);
      } catch (error) {
        // Google over quota or unreachable (its retries spent): the caller may ask again; a job keeps trying.
        if (!(error instanceof GoogleApiError)) throw error;
        await enqueuePassDeliveries(this.deps.store.pool, [passId]);
        throw new GoogleUnavailable(error.status === 429 ? 10 : 30);
      }
    }
    const skinny = this.claims(issuer, { [`${kind}Objects`]: [{ id: object.id, classId: object.classId }] });
    return `${SAVE_URL}${await this.signSaveJwt(issuer, skinny)}`;
  }

  /**
   * One "Add to Google Wallet" URL for several passes (a multi-pass adaptive link): their objects are made through
   * the API first and the link carries only their ids, grouped by kind. The passes must share one issuer (a save
   * link is signed by one): otherwise undefined.
   */
  async saveUrlMany(passIds: number[]): Promise<string | undefined> {
    const passes = await this.deps.bodies.passes(passIds);
    if (passes.length !== passIds.length) throw new Error("not every pass is a Google pass");
    const built = [];
    for (const pass of passes) {
      const template = (await this.deps.bodies.template(pass.templateId))!;
      const issuer = await this.deps.issuers.forProject(template.projectId);
      const { fields: objectFields } = await this.deps.bodies.knownObjectFields(template, [pass]);
      const { body: object } = this.deps.bodies.objectBody(issuer, template, pass, objectFields);
      const klass = this.deps.bodies.classBody(issuer, template, objectFields, pass.group);
      built.push({ pass, issuer, kind: this.deps.bodies.kindOf(template, pass.group), object, klass });
    }
    const issuer = built[0]!.issuer;
    if (built.some((b) => b.issuer.key !== issuer.key)) return undefined;
    for (const b of built) await this.deps.store.markHandedOut(b.pass.id, b.object.id as string);
    // Google Wallet shows the passes of one multi-pass link together, in the link's order.
    const groupingId = `multi-${hash(built.map((b) => b.object.id)).slice(0, 32)}`;
    const grouping = (i: number) => ({ groupingInfo: { groupingId, sortIndex: i + 1 } });
    const payload: Record<string, object[]> = {};
    const add = (key: string, value: object) => {
      payload[key] = [...(payload[key] ?? []), value];
    };
    if (issuer.development) {
      // Nothing can be made at Google without credentials: the link carries the classes and objects themselves.
      for (const b of built) {
        if (!(payload[`${b.kind}Classes`] ?? []).some((c) => (c as { id: string }).id === b.klass.id)) {
          add(`${b.kind}Classes`, b.klass);
        }
        const { rotatingBarcode: _keyStaysHere, ...object } = b.object;
        add(`${b.kind}Objects`, { ...object, ...grouping(built.indexOf(b)) });
      }
      return `${SAVE_URL}${await this.signSaveJwt(issuer, this.claims(issuer, payload))}`;
    }
    const stale = [];
    for (const b of built) if ((await this.deps.store.objectHash(b.pass.id)) !== hash(b.object)) stale.push(b.pass.id);
    try {
      if (stale.length) await this.deps.syncPasses(stale);
      // The grouping is the link's, not the pass's: set by a partial PATCH, which later syncs of the pass leave be;
      // once set, a later visit to the same link sends nothing.
      const set = await this.deps.store.groupings(built.map((b) => b.pass.id));
      for (const [i, b] of built.entries()) {
        const groupingKey = `${groupingId}:${i + 1}`;
        if (set.get(b.pass.id) === groupingKey) continue;
        await this.deps.client.patch(issuer, resourceOf(b.kind, "Object"), b.object.id as string, grouping(i));
        await this.deps.store.setGrouping(b.pass.id, groupingKey);
      }
    } catch (error) {
      // Google over quota or unreachable (its retries spent): the caller may ask again; a job keeps syncing.
      if (!(error instanceof GoogleApiError)) throw error;
      if (stale.length) await enqueuePassDeliveries(this.deps.store.pool, stale);
      throw new GoogleUnavailable(error.status === 429 ? 10 : 30);
    }
    for (const b of built) add(`${b.kind}Objects`, { id: b.object.id, classId: b.object.classId });
    return `${SAVE_URL}${await this.signSaveJwt(issuer, this.claims(issuer, payload))}`;
  }

  private claims(issuer: GoogleIssuer, payload: object) {
    return {
      iss: issuer.clientEmail,
      aud: "google",
      typ: "savetowallet",
      iat: Math.floor(this.deps.clock.now() / 1000),
      origins: [new URL(this.deps.publicBaseUrl).origin],
      payload,
    };
  }

  /**
   * The length of the save JWT of these claims, reckoned without signing: an RS256 signature is as long as the key's
   * modulus. A keyless issuer's JWT is signed by Google, whose header (with its key id) has a known length.
   */
  private jwtLength(issuer: GoogleIssuer, claims: object): number {
    const body = Buffer.byteLength(JSON.stringify(claims));
    const encoded = Math.ceil((body * 4) / 3);
    if (issuer.keyless) return KEYLESS_HEADER_LENGTH + 1 + encoded + 1 + RS256_SIGNATURE_LENGTH;
    const modulusBits = issuer.privateKey?.asymmetricKeyDetails?.modulusLength;
    if (modulusBits === undefined) return signJwt(issuer, claims).length; // not an RSA key: measure it
    return jwtHeader(issuer).length + 1 + encoded + 1 + Math.ceil(((modulusBits / 8) * 4) / 3);
  }

  /** Signs a save link's JWT; keyless signatures (an IAM call each) are kept per pass version for an hour. */
  private async signSaveJwt(issuer: GoogleIssuer, claims: { payload: object }): Promise<string> {
    if (!issuer.keyless) return signJwt(issuer, claims);
    const key = `${issuer.key}:${hash(claims.payload)}`;
    const cached = this.signedLinks.get(key);
    if (cached && cached.at > this.deps.clock.now() - 3_600_000) return cached.jwt;
    const jwt = await issuer.keyless.signJwt(claims);
    if (this.signedLinks.size >= 10_000) this.signedLinks.delete(this.signedLinks.keys().next().value as string);
    this.signedLinks.set(key, { jwt, at: this.deps.clock.now() });
    return jwt;
  }
}
