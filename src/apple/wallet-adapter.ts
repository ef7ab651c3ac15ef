// The Apple adapter of the wallet port (domain/wallet-port.ts): an Apple pass is handed out as its signed .pkpass,
// and a change is followed by pushing every device that installed the pass (push-subscriber.ts); a template's own
// change has nothing of its own on Apple's side (its passes follow as passes); a pass is installed on each device
// registered for it through the PassKit web service.
import {
  type Handout,
  type InstallationPage,
  type PassChangedSubscriber,
  PKPASS_TYPE,
  type WalletAdapter,
} from "../domain/wallet-port.js";
import type { ApplePassBuilder, ApplePassRecord } from "./pass-builder.js";
import type { Registrations } from "./registration-store.js";

export class AppleWalletAdapter implements WalletAdapter<ApplePassRecord> {
  constructor(
    private readonly builder: ApplePassBuilder,
    /** Pushes the devices of changed passes (push-subscriber.ts). */
    readonly follow: PassChangedSubscriber,
    private readonly registrations: Pick<Registrations, "devicesOf">,
  ) {}

  installations(passId: number, page: { offset: number; limit: number }): Promise<InstallationPage> {
    return this.registrations.devicesOf(passId, page);
  }

  async handOut(pass: ApplePassRecord): Promise<Handout> {
    return {
      kind: "file",
      contentType: PKPASS_TYPE,
      body: await this.builder.bundle(pass),
      fileName: `pass-${pass.id}.pkpass`,
      lastModified: pass.updatedAt,
    };
  }

  async followTemplate(): Promise<void> {}
}
