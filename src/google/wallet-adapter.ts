// The Google adapter of the wallet port (domain/wallet-port.ts): a Google pass is handed out as a redirect to its
// "Add to Google Wallet" save link; a change is followed by syncing the passes' objects, a template's own change by
// syncing its class.
import type { Handout, HandoutPass, PassChange, WalletAdapter } from "../domain/wallet-port.js";
import type { GoogleWallet } from "./google-wallet.js";

export class GoogleWalletAdapter implements WalletAdapter {
  constructor(private readonly wallet: GoogleWallet) {}

  async handOut(pass: HandoutPass): Promise<Handout> {
    return { kind: "redirect", location: await this.wallet.saveUrl(pass.id) };
  }

  follow = (changes: PassChange[]): Promise<void> => this.wallet.syncPasses(changes.map((c) => c.passId));

  followTemplate = (templateId: number): Promise<void> => this.wallet.syncTemplate(templateId);
}
