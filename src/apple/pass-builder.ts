// Builds a pass's Apple Wallet bundle: the pass's record (one query: pass-records.ts), the signing identity
// (cached), the images (stored bytes, cached), then pass.json, signing and zipping.
import type pg from "pg";
import { designOf, mergedView } from "../domain/field-model.js";
import { type LocationInput, locationValue } from "../domain/values.js";
import { BUILT_IN, IMAGE_HEADERS, type ImageStore } from "../images/image-store.js";
import type { AppleIdentities, SigningIdentity } from "./identities.js";
import { buildPassJson, buildPersonalizationJson } from "./pass-json.js";
import { type ApplePassRecord, ApplePassRecords, type PassAccess } from "./pass-records.js";
import { type BundleFile, PkpassWriter } from "./pkpass.js";

export type { ApplePassRecord, PassAccess } from "./pass-records.js";

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

  constructor(
    pool: pg.Pool,
    private readonly identities: AppleIdentities,
    private readonly images: ImageStore,
    /** The PassKit web service base (PUBLIC_BASE_URL + /apple). */
    private readonly webServiceURL: string,
  ) {
    this.records = new ApplePassRecords(pool);
  }

  /** A pass of an account (or, without `accountId`, any pass: the web service has authorized it already). */
  byId(accountId: number | null, passId: number): Promise<ApplePassRecord | undefined> {
    return this.records.byId(accountId, passId);
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
    const design = designOf(record);
    const view = mergedView(design, record.overrides);
    const nfcPublicKey = record.nfcPublicKeyPem
      ? record.nfcPublicKeyPem.replace(/-----(BEGIN|END) PUBLIC KEY-----|\s/g, "")
      : undefined;
    return buildPassJson({
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
    });
  }

  /** The signed .pkpass bytes. */
  async bundle(record: ApplePassRecord, identity?: SigningIdentity): Promise<Buffer> {
    const signing = identity ?? (await this.identityOf(record));
    const design = designOf(record);
    const chosen: Record<string, string> = { ...(design.images ?? {}), ...record.images };
    const stored = await this.images.load(Object.values(chosen));
    const files: BundleFile[] = [];
    const add = (name: string, id: string, data: Buffer | undefined) => {
      if (data) files.push({ name, id, data });
    };
    for (const [header, hash] of Object.entries(chosen)) {
      const base = IMAGE_HEADERS[header];
      if (!base) continue;
      // One image given: Wallet uses the @2x file on Retina screens and scales the plain one elsewhere.
      add(`${base}.png`, hash, stored.get(hash));
      add(`${base}@2x.png`, hash, stored.get(hash));
    }
    if (!chosen.icon_image) {
      add("icon.png", BUILT_IN.icon.sha256, BUILT_IN.icon.data);
      add("icon@2x.png", BUILT_IN.icon2x.sha256, BUILT_IN.icon2x.data);
      add("icon@3x.png", BUILT_IN.icon3x.sha256, BUILT_IN.icon3x.data);
    }
    if (!chosen.logo_image) {
      add("logo.png", BUILT_IN.logo.sha256, BUILT_IN.logo.data);
      add("logo@2x.png", BUILT_IN.logo2x.sha256, BUILT_IN.logo2x.data);
    }
    const json: Record<string, unknown> = { "pass.json": this.passJson(record, signing) };
    if (design.personalization && record.personalization === null) {
      json["personalization.json"] = buildPersonalizationJson(design.personalization);
      const logo = chosen.logo_image ? stored.get(chosen.logo_image) : BUILT_IN.logo2x.data;
      add("personalizationLogo.png", chosen.logo_image ?? BUILT_IN.logo2x.sha256, logo);
    }
    return this.writer.write(signing.signer, json, files);
  }
}
