// Follows pass changes to the phones: every device registered for a changed pass gets one empty push (per push
// token and pass type, however many of its passes changed in the batch), and then fetches what changed.
// Pushes go in target order, in chunks; after each chunk the job's checkpoint records how far it got and which
// pushes failed, so a rerun (a retry, or the job of a worker that died) pushes only what was not pushed.
import type { JobCheckpoint, PassChangedSubscriber } from "../domain/wallet-port.js";
import type { ApnsCertificate, ApnsClient } from "./apns.js";
import type { AppleIdentities } from "./identities.js";
import type { PushTarget, Registrations } from "./registration-store.js";

export interface ApplePushDeps {
  registrations: Registrations;
  identities: AppleIdentities;
  apns: ApnsClient;
  /** Pushes in flight at once (streams multiplexed over the connections). */
  concurrency?: number;
  /** Pushes between two checkpoints (default 500): at most this many are repeated when a worker dies. */
  checkpointEvery?: number;
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

  const chunkSize = deps.checkpointEvery ?? 500;
  /** Pushes one chunk; returns the targets that failed. */
  const pushAll = async (targets: PushTarget[]): Promise<PushTarget[]> => {
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
    return failed;
  };

  return async (changes, job) => {
    const all = (await deps.registrations.pushTargets(changes.map((c) => c.passId)))
      .map((target) => ({ target, key: keyOf(target) }))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const checkpoint: JobCheckpoint | undefined = job?.checkpoint("apns");
    const saved = await checkpoint?.load();
    const retry = new Set(saved?.failed ?? []);
    const targets = (saved ? all.filter((t) => t.key > saved.position || retry.has(t.key)) : all).map((t) => t.target);
    let position = saved?.position ?? "";
    let failed: string[] = [];
    for (let start = 0; start < targets.length; start += chunkSize) {
      const chunk = targets.slice(start, start + chunkSize);
      const chunkFailed = (await pushAll(chunk)).map(keyOf);
      if (failed.length + chunkFailed.length > MAX_REMEMBERED_FAILURES) {
        // APNs is failing wholesale: stop here; this chunk is pushed again on the retry.
        await checkpoint?.save({ position, failed });
        throw new Error(`APNs pushes failing (${chunkFailed.length} of ${chunk.length} in the last chunk)`);
      }
      failed = [...failed, ...chunkFailed];
      const last = keyOf(chunk[chunk.length - 1]!);
      if (last > position) position = last;
      await checkpoint?.save({ position, failed });
    }
    if (failed.length) {
      deps.log?.warn(`APNs: ${failed.length} of ${targets.length} pushes failed; they will be retried`);
      throw new Error(`${failed.length} of ${targets.length} APNs pushes failed`);
    }
  };
}

/** Failed pushes a checkpoint lists; past that, the job stops and retries from its last position. */
const MAX_REMEMBERED_FAILURES = 1000;

/** A push target's place in the job's order (and its name in the checkpoint). */
const keyOf = (target: PushTarget) => `${target.topic}\n${target.pushToken}`;
