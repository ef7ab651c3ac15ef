// Handing out passes: the signed .pkpass of an Apple pass (by id with an API key, or by its public link), and the
// pass.json it holds. Google passes get their save link from the Google Wallet support.
import type { ApplePassBuilder, ApplePassRecord } from "../../../apple/pass-builder.js";
import { ApiError, notFound } from "../../../http/errors.js";

export const PKPASS_TYPE = "application/vnd.apple.pkpass";

export interface Delivery {
  contentType: string;
  body: Buffer;
  fileName: string;
  lastModified: Date;
}

export class DownloadService {
  constructor(private readonly apple: ApplePassBuilder) {}

  private requireApple(record: ApplePassRecord | undefined): ApplePassRecord {
    if (!record) throw notFound("Pass");
    if (record.vendor !== "Apple") {
      throw new ApiError(501, "GOOGLE_NOT_CONFIGURED", "Google Wallet passes are delivered as save links, not files");
    }
    return record;
  }

  private async deliver(record: ApplePassRecord): Promise<Delivery> {
    return {
      contentType: PKPASS_TYPE,
      body: await this.apple.bundle(record),
      fileName: `pass-${record.id}.pkpass`,
      lastModified: record.updatedAt,
    };
  }

  async download(accountId: number, passId: number): Promise<Delivery> {
    return this.deliver(this.requireApple(await this.apple.byId(accountId, passId)));
  }

  /** A public link: a "single" link stops working once the pass has been installed from it. */
  async publicDownload(token: string): Promise<Delivery> {
    const record = this.requireApple(await this.apple.byPublicToken(token));
    if (record.publicUrlType === "single" && record.publicUrlUsed) {
      throw new ApiError(410, "LINK_USED", "This single-use pass link has already been used");
    }
    return this.deliver(record);
  }

  async passJson(accountId: number, passId: number): Promise<Record<string, unknown>> {
    const record = this.requireApple(await this.apple.byId(accountId, passId));
    return this.apple.passJson(record, await this.apple.identityOf(record));
  }
}
