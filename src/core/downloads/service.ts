// Handing out passes (by id with an API key, or by a public link): the signed .pkpass of an Apple pass, a redirect
// to the "Add to Google Wallet" link of a Google pass; and the pass.json an Apple pass holds.
import type { ApplePassBuilder, ApplePassRecord } from "../../apple/pass-builder.js";
import { AppError, notFound } from "../../errors.js";
import type { GoogleWallet } from "../../google/google-wallet.js";

export const PKPASS_TYPE = "application/vnd.apple.pkpass";

export type Handout =
  | { kind: "file"; contentType: string; body: Buffer; fileName: string; lastModified: Date }
  | { kind: "redirect"; location: string };

export class DownloadService {
  constructor(
    private readonly apple: ApplePassBuilder,
    private readonly google: GoogleWallet,
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
    if (this.requirePass(record).vendor !== "Apple") {
      throw new AppError("NOT_AN_APPLE_PASS", "This is a Google pass: it has no pass.json (download it instead)");
    }
    return record!;
  }

  private async handOut(record: ApplePassRecord): Promise<Handout> {
    if (record.vendor === "Google") return { kind: "redirect", location: await this.google.saveUrl(record.id) };
    return {
      kind: "file",
      contentType: PKPASS_TYPE,
      body: await this.apple.bundle(record),
      fileName: `pass-${record.id}.pkpass`,
      lastModified: record.updatedAt,
    };
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

  async passJson(accountId: number, passId: number): Promise<Record<string, unknown>> {
    const record = this.requireApple(await this.apple.byId(accountId, passId));
    return this.apple.passJson(record, await this.apple.identityOf(record));
  }
}
