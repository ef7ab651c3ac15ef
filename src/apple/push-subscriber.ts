// Follows pass changes to the phones: every device registered for a changed pass gets one empty push (per push
// token and pass type, however many of its passes changed in the batch), and then fetches what changed.
import type { PassChangedSubscriber } from "../jobs/worker.js";
import type { ApnsCertificate, ApnsClient } from "./apns.js";
import type { AppleIdentities } from "./identities.js";
import type { PushTarget, Registrations } from "./registrations.js";

export interface ApplePushDeps {
  registrations: Registrations;
  identities: AppleIdentities;
  apns: ApnsClient;
  /** Pushes in flight at once (streams multiplexed over the connections). */
  concurrency?: number;
  log?: { warn(msg: string): void };
}

export function applePushSubscriber(deps: ApplePushDeps): PassChangedSubscriber {
  const certificates = new Map<string, ApnsCertificate>();
  const certificateOf = async (projectId: number): Promise<ApnsCertificate> => {
    const identity = await deps.identities.forProject(projectId);
    let certificate = certificates.get(identity.key);
    if (!certificate) {
      certificate = {
        id: identity.key,
        certificatePem: identity.certificate.toString(),
        privateKeyPem: identity.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
      };
      certificates.set(identity.key, certificate);
    }
    return certificate;
  };

  return async (changes) => {
    const targets = await deps.registrations.pushTargets(changes.map((c) => c.passId));
    const failed: PushTarget[] = [];
    let next = 0;
    const work = async () => {
      while (next < targets.length) {
        const target = targets[next++]!;
        const certificate = deps.apns.usesToken ? undefined : await certificateOf(target.projectId);
        const outcome = await deps.apns.push(target, certificate);
        if (outcome === "unregistered") await deps.registrations.removePushToken(target.pushToken);
        else if (outcome === "failed") failed.push(target);
      }
    };
    await Promise.all(Array.from({ length: Math.min(deps.concurrency ?? 200, targets.length) }, work));
    if (failed.length) {
      deps.log?.warn(`APNs: ${failed.length} of ${targets.length} pushes failed; the batch will be retried`);
      throw new Error(`${failed.length} of ${targets.length} APNs pushes failed`);
    }
  };
}
