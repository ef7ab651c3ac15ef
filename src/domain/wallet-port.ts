// What a wallet does with a pass, as the business features ask for it: hand it out (the signed .pkpass of an Apple
// pass, the "Add to Google Wallet" link of a Google pass). apple/ and google/ implement it; the composition root
// builds one adapter per vendor (domain/vendors.ts), and callers choose by the pass's vendor, never by name.
import type { Vendor } from "./vendors.js";

export const PKPASS_TYPE = "application/vnd.apple.pkpass";
/** Several passes in one download (a zip of .pkpass files), which Wallet offers to add together. */
export const PKPASSES_TYPE = "application/vnd.apple.pkpasses";

export type Handout =
  | { kind: "file"; contentType: string; body: Buffer; fileName: string; lastModified: Date }
  | { kind: "redirect"; location: string };

/** The pass as the hand-out reads it (apple/pass-record-store.ts). */
export interface HandoutPass {
  readonly id: number;
  readonly vendor: string;
  readonly updatedAt: Date;
}

export interface WalletAdapter<P extends HandoutPass = HandoutPass> {
  handOut(pass: P): Promise<Handout>;
}

export type Wallets<P extends HandoutPass = HandoutPass> = Record<Vendor, WalletAdapter<P>>;
