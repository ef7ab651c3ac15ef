// The Google adapter of the wallet port (domain/wallet-port.ts): a Google pass is handed out as a redirect to its
// "Add to Google Wallet" save link; a change is followed by syncing the passes' objects, a template's own change by
// syncing its class; a pass is installed once Google's callback reported its save (and not since its delete).
import type { Handout, HandoutPass, InstallationPage, PassChange, WalletAdapter } from "../domain/wallet-port.js";
import type { GoogleWallet } from "./google-wallet.js";

export class GoogleWalletAdapter implements WalletAdapter {
  constructor(private readonly wallet: GoogleWallet) {}

  async handOut(pass: HandoutPass): Promise<Handout> {
    return { kind: "redirect", location: await this.wallet.saveUrl(pass.id) };
  }

  installations(passId: number, page: { offset: number; limit: number }): Promise<InstallationPage> {
    return this.wallet.installations(passId, page);
  }

  follow = (changes: PassChange[]): Promise<void> => this.wallet.syncPasses(changes.map((c) => c.passId));

  followTemplate = (templateId: number): Promise<void> => this.wallet.syncTemplate(templateId);
}
