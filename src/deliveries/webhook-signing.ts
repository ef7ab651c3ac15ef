// Standard Webhooks signatures (https://www.standardwebhooks.com): a secret is `whsec_` + base64 of random bytes;
// each attempt is signed as `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`)) with the key the
// base64-decoded part after `whsec_`. During a rotation several signatures are sent, space-separated; a receiver
// accepts the request when any of them verifies.
import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** A new signing secret: 24 random bytes (192 bits), as Standard Webhooks libraries generate them. */
export function newWebhookSecret(): string {
  return PREFIX + randomBytes(24).toString("base64");
}

/** The `v1,` signature of one message with one secret. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64")}`;
}

/** The webhook-id of a delivery: the same on every attempt and replay, so receivers can de-duplicate. */
export const webhookIdOf = (eventId: string) => `msg_${eventId.replaceAll("-", "")}`;

/** The three Standard Webhooks headers of one attempt, signed with every given secret (newest first). */
export function webhookHeaders(secrets: string[], id: string, timestamp: number, body: string) {
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((secret) => signWebhook(secret, id, timestamp, body)).join(" "),
  };
}
