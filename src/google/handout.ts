// The Google adapter of the wallet port (domain/wallet-port.ts): a Google pass is handed out as a redirect to its
// "Add to Google Wallet" save link.
import type { Handout, HandoutPass, WalletAdapter } from "../domain/wallet-port.js";
import type { GoogleWallet } from "./google-wallet.js";

export class GoogleHandout implements WalletAdapter {
  constructor(private readonly wallet: GoogleWallet) {}

  async handOut(pass: HandoutPass): Promise<Handout> {
    return { kind: "redirect", location: await this.wallet.saveUrl(pass.id) };
  }
}
