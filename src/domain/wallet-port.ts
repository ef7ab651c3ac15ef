// What a wallet does with a pass, as the business features ask for it: hand it out (the signed .pkpass of an Apple
// pass, the "Add to Google Wallet" link of a Google pass), follow its changes (Apple: push the devices that
// installed it; Google: sync its object, and a template's class) and say where it is installed (Apple: each
// registered device; Google: the save its callback reported). apple/ and google/ implement it
// (wallet-adapter.ts); the composition root builds one adapter per vendor (domain/vendors.ts), callers choose by the
// pass's vendor, never by name, and the job worker runs every adapter's `follow` for each change.
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

/** A pass at the version a change left it in. */
export interface PassChange {
  passId: number;
  version: number;
}

/** Where a running job got to, for one follower, so a rerun resumes there (jobs/checkpoint-store.ts keeps it). */
export interface Checkpoint {
  /** Everything up to and including this key was done (or is listed in `failed`). */
  position: string;
  /** Keys at or before `position` that still need doing. */
  failed: string[];
}

/** One follower's view of its job's checkpoint. */
export interface JobCheckpoint {
  load(): Promise<Checkpoint | undefined>;
  save(checkpoint: Checkpoint): Promise<void>;
}

/** The job a follower runs in: its checkpoint, under the follower's name, lets a rerun resume. */
export interface JobContext {
  checkpoint(subscriber: string): JobCheckpoint;
}

/**
 * Something that must follow passes' changes: called with one pass, or with a batch of up to 2,000 from a set-based
 * change. Must be idempotent (a failed call is retried with the same batch, and a job whose worker died is run
 * again); one with side effects that must not repeat (pushes) records its progress in the job's checkpoint.
 */
export type PassChangedSubscriber = (changes: PassChange[], job?: JobContext) => Promise<void>;

/** Something that must follow a template's own changes (Google's class). Must be idempotent. */
export type TemplateChangedSubscriber = (templateId: number) => Promise<void>;

/** One place a pass is installed, as its wallet reports it. */
export interface Installation {
  platform: "ios" | "android";
  /** The device, where the wallet names one (Apple's deviceLibraryIdentifier; Google names none). */
  device?: string;
  since: Date;
}

/** A page of a pass's installations (a shared pass may be on many thousands of devices), oldest first. */
export interface InstallationPage {
  count: number;
  rows: Installation[];
}

export interface WalletAdapter<P extends HandoutPass = HandoutPass> {
  handOut(pass: P): Promise<Handout>;
  /** Where the pass is installed: `limit` installations from `offset`, and how many there are. */
  installations(passId: number, page: { offset: number; limit: number }): Promise<InstallationPage>;
  /** Brings what the wallet shows up to date after passes changed. */
  follow: PassChangedSubscriber;
  /** Brings what the wallet shows up to date after a template's own change. */
  followTemplate: TemplateChangedSubscriber;
}

export type Wallets<P extends HandoutPass = HandoutPass> = Record<Vendor, WalletAdapter<P>>;
