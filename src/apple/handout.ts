// The Apple adapter of the wallet port (domain/wallet-port.ts): an Apple pass is handed out as its signed .pkpass.
import { type Handout, PKPASS_TYPE, type WalletAdapter } from "../domain/wallet-port.js";
import type { ApplePassBuilder, ApplePassRecord } from "./pass-builder.js";

export class AppleHandout implements WalletAdapter<ApplePassRecord> {
  constructor(private readonly builder: ApplePassBuilder) {}

  async handOut(pass: ApplePassRecord): Promise<Handout> {
    return {
      kind: "file",
      contentType: PKPASS_TYPE,
      body: await this.builder.bundle(pass),
      fileName: `pass-${pass.id}.pkpass`,
      lastModified: pass.updatedAt,
    };
  }
}
