// Builds a pass's Apple Wallet bundle: the pass's record (one query: pass-record-store.ts), the signing identity
// (cached), the images (stored bytes, cached), then pass.json, signing and zipping. A signed bundle is kept per
// pass (signed_bundles) under a digest of everything that went into it — the signing identity, pass.json,
// personalization.json and the images' hashes — so a device fetching an unchanged pass again is served the stored
// bytes instead of a new signature; any change (a new version, another certificate, a new image) signs afresh.
import { createHash } from "node:crypto";
import type pg from "pg";
import type { Clock } from "../clock.js";
import { designOf, mergedView } from "../domain/field-model.js";
import { type LocationInput, locationValue } from "../domain/values.js";
import { BUILT_IN, IMAGE_HEADERS, type ImageStore } from "../images/image-store.js";
import type { AppleIdentities, SigningIdentity } from "./identities.js";
import { type BuiltPassJson, buildPass, buildPersonalizationJson } from "./pass-json.js";
import { type ApplePassRecord, ApplePassRecords, type PassAccess } from "./pass-record-store.js";
import { type BundleFile, PkpassWriter } from "./pkpass.js";
import { SignedBundleStore } from "./signed-bundle-store.js";

export type { ApplePassRecord, PassAccess } from "./pass-record-store.js";

const LOCATION_DEFAULTS = {
  streetAddress1: null,
  streetAddress2: null,
  city: null,
  region: null,
  regionCode: null,
  country: null,
};

export class ApplePassBuilder {
  private readonly writer = new PkpassWriter();

  private readonly records: ApplePassRecords;
  private readonly bundles: SignedBundleStore;

  constructor(
    pool: pg.Pool,
    private readonly identities: AppleIdentities,
    private readonly images: ImageStore,
    /** The PassKit web service base (PUBLIC_BASE_URL + /apple). */
    private readonly webServiceURL: string,
    /** The signing time of each bundle. */
    private readonly clock: Clock,
  ) {
    this.records = new ApplePassRecords(pool);
    this.bundles = new SignedBundleStore(pool);
  }

  /** A pass of an account (or, without `accountId`, any pass: the web service has authorized it already). */
  byId(accountId: number | null, passId: number): Promise<ApplePassRecord | undefined> {
    return this.records.byId(accountId, passId);
  }

  /** A template as a pass of it with nothing of its own would be (what its preview shows). */
  specimen(accountId: number, key: { id: number } | { externalId: string }): Promise<ApplePassRecord | undefined> {
    return this.records.specimen(accountId, key);
  }

  /** Just what authorizing a device's request needs (and a 304 answer). */
  accessBySerial(serialNumber: string): Promise<PassAccess | undefined> {
    return this.records.accessBySerial(serialNumber);
  }

  byPublicToken(token: string): Promise<ApplePassRecord | undefined> {
    return this.records.byPublicToken(token);
  }

  identityOf(record: { projectId: number }): Promise<SigningIdentity> {
    return this.identities.forProject(record.projectId);
  }

  /** The pass.json of a pass (what viewJSONPass shows and the bundle holds). */
  passJson(record: ApplePassRecord, identity: SigningIdentity): Record<string, unknown> {
    return this.built(record, identity).passJson;
  }

  /** pass.json, and the newer layout (semantic boarding pass, poster ticket) it misses, with the tags it lacks. */
  built(record: ApplePassRecord, identity: SigningIdentity): BuiltPassJson {
    const design = designOf(record);
    const view = mergedView(design, record.overrides);
    const nfcPublicKey = record.nfcPublicKeyPem
      ? record.nfcPublicKeyPem.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s/g, "")
      : undefined;
    return buildPass({
      templateType: record.templateType,
      projectType: record.projectType,
      headers: view.headers,
      fields: view.fields,
      serialNumber: record.serialNumber,
      authenticationToken: record.authenticationToken,
      webServiceURL: this.webServiceURL,
      passTypeIdentifier: identity.passTypeIdentifier,
      teamIdentifier: identity.teamIdentifier,
      organizationName: record.projectName,
      description: record.templateDescription || record.templateName,
      locations: record.locations.map((l) => locationValue({ ...LOCATION_DEFAULTS, ...l }) as LocationInput),
      beacons: record.beacons ?? design.beacons,
      ...(nfcPublicKey ? { nfcPublicKey } : {}),
      linkFields: record.linkFields,
      linkSemantics: record.linkSemantics,
      // The web service lives at <public base>/apple; stored images at <public base>/images.
      imagesBaseUrl: this.webServiceURL.replace(/\/apple$/, ""),
    });
  }

  /** The images the pass shows, by bundle name (logo, strip, …) with their bytes: what a preview draws. */
  async previewImages(record: ApplePassRecord): Promise<Record<string, Buffer>> {
    const chosen: Record<string, string> = { ...(designOf(record).images ?? {}), ...record.images };
    const named = Object.entries(chosen).filter(([header]) => IMAGE_HEADERS[header]);
    const stored = await this.images.load(named.map(([, hash]) => hash));
    const images: Record<string, Buffer> = {};
    for (const [header, hash] of named) {
      const bytes = stored.get(hash);
      if (bytes) images[IMAGE_HEADERS[header]!] = bytes;
    }
    return images;
  }

  /** The signed .pkpass bytes: the stored ones when nothing that goes into them changed. */
  async bundle(record: ApplePassRecord, identity?: SigningIdentity): Promise<Buffer> {
    const signing = identity ?? (await this.identityOf(record));
    const design = designOf(record);
    const chosen: Record<string, string> = { ...(design.images ?? {}), ...record.images };
    // What goes in: name → image hash (the bytes are loaded only when signing).
    const planned: { name: string; id: string }[] = [];
    for (const [header, hash] of Object.entries(chosen)) {
      const base = IMAGE_HEADERS[header];
      if (!base) continue;
      // One image given: Wallet uses the @2x file on Retina screens and scales the plain one elsewhere.
      planned.push({ name: `${base}.png`, id: hash }, { name: `${base}@2x.png`, id: hash });
    }
    const builtIn: Record<string, Buffer> = {};
    const addBuiltIn = (name: string, image: { sha256: string; data: Buffer }) => {
      planned.push({ name, id: image.sha256 });
      builtIn[image.sha256] = image.data;
    };
    if (!chosen.icon_image) {
      addBuiltIn("icon.png", BUILT_IN.icon);
      addBuiltIn("icon@2x.png", BUILT_IN.icon2x);
      addBuiltIn("icon@3x.png", BUILT_IN.icon3x);
    }
    if (!chosen.logo_image) {
      addBuiltIn("logo.png", BUILT_IN.logo);
      addBuiltIn("logo@2x.png", BUILT_IN.logo2x);
    }
    const json: Record<string, unknown> = { "pass.json": this.passJson(record, signing) };
    if (design.personalization && record.personalization === null) {
      json["personalization.json"] = buildPersonalizationJson(design.personalization);
      if (chosen.logo_image) planned.push({ name: "personalizationLogo.png", id: chosen.logo_image });
      else addBuiltIn("personalizationLogo.png", BUILT_IN.logo2x);
    }
    const digest = createHash("sha256")
      .update(JSON.stringify([signing.key, json, planned]))
      .digest("base64url");
    const kept = await this.bundles.find(record.id, digest);
    if (kept) return kept;

    const stored = await this.images.load(planned.map((f) => f.id).filter((id) => !builtIn[id]));
    const files: BundleFile[] = [];
    for (const file of planned) {
      const data = builtIn[file.id] ?? stored.get(file.id);
      if (data) files.push({ ...file, data });
    }
    const bytes = await this.writer.write(signing.signer, json, files, new Date(this.clock.now()));
    await this.bundles.keep(record.id, record.version, digest, bytes);
    return bytes;
  }
}
