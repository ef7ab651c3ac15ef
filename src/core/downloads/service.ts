// Handing out passes (by id with an API key, or by a public link), through the pass's wallet adapter
// (domain/wallet-port.ts: the signed .pkpass of an Apple pass, the save link of a Google pass); and the pass.json
// of a pass whose wallet has one.
import type { ApplePassBuilder, ApplePassRecord } from "../../apple/pass-builder.js";
import { traitsOf, type Vendor } from "../../domain/vendors.js";
import type { Handout, Wallets } from "../../domain/wallet-port.js";
import { AppError, notFound } from "../../errors.js";

export class DownloadService {
  constructor(
    private readonly apple: ApplePassBuilder,
    private readonly wallets: Wallets<ApplePassRecord>,
    private readonly passes: {
      findByExternalId(accountId: number, externalId: string): Promise<{ id: number; templateId: number }[]>;
    },
  ) {}

  /** The one pass of the account with this external id: 404 when none, 409 naming the templates when several. */
  async passIdOf(accountId: number, externalId: string): Promise<number> {
    const found = await this.passes.findByExternalId(accountId, externalId);
    if (found.length === 0) throw notFound("Pass");
    if (found.length > 1) {
      const templates = found.map((p) => p.templateId);
      throw new AppError(
        "AMBIGUOUS_EXTERNAL_ID",
        `Passes of several templates have external id "${externalId}" (templates ${templates.join(", ")}): use the pass id`,
        { templates },
      );
    }
    return found[0]!.id;
  }

  private requirePass(record: ApplePassRecord | undefined): ApplePassRecord {
    if (!record) throw notFound("Pass");
    return record;
  }

  private requireApple(record: ApplePassRecord | undefined): ApplePassRecord {
    if (!traitsOf(this.requirePass(record).vendor).passKit) {
      throw new AppError("NOT_AN_APPLE_PASS", "This is a Google pass: it has no pass.json (download it instead)");
    }
    return record!;
  }

  private handOut(record: ApplePassRecord): Promise<Handout> {
    return this.wallets[record.vendor as Vendor].handOut(record);
  }

  async download(accountId: number, passId: number): Promise<Handout> {
    return this.handOut(this.requirePass(await this.apple.byId(accountId, passId)));
  }

  /** A public link: a "single" link stops working once the pass has been installed from it. */
  async publicDownload(token: string): Promise<Handout> {
    const record = this.requirePass(await this.apple.byPublicToken(token));
    if (record.publicUrlType === "single" && record.publicUrlUsed) {
      throw new AppError("LINK_USED", "This single-use pass link has already been used");
    }
    return this.handOut(record);
  }

  /**
   * The newer layout (semantic boarding pass, poster event ticket) an Apple pass asks for or qualifies for but
   * misses, with the tags it lacks; undefined when it has what it needs, asks for none, or is a Google pass.
   */
  async layoutMissing(accountId: number, passId: number) {
    const record = await this.apple.byId(accountId, passId);
    if (!record || !traitsOf(record.vendor).passKit) return undefined;
    return this.apple.built(record, await this.apple.identityOf(record)).missing;
  }

  /** The pass.json of an Apple pass, and the newer layout it asks for but misses (with the tags it lacks). */
  async passJson(accountId: number, passId: number) {
    const record = this.requireApple(await this.apple.byId(accountId, passId));
    return this.apple.built(record, await this.apple.identityOf(record));
  }
}
