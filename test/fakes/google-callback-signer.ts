// Test signer of Google's ECv2SigningOnly callback messages: a root key (published by the fake key endpoint) signs
// an intermediate key, which signs each message.
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { lengthValue, SENDER_ID } from "../../src/google/callback.js";

export interface Ecv2Signer {
  /** What GOOGLE_CALLBACK_KEYS_URL serves. */
  keysDocument: { keys: Array<{ keyValue: string; protocolVersion: string; keyExpiration: string }> };
  signMessage(
    recipientId: string,
    message: object,
    options?: { intermediateExpiresAt?: number; root?: KeyObject },
  ): object;
}

const spki = (key: KeyObject) => key.export({ type: "spki", format: "der" }).toString("base64");

export function ecv2Signer(): Ecv2Signer {
  const root = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const intermediate = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    keysDocument: {
      keys: [
        {
          keyValue: spki(root.publicKey),
          protocolVersion: "ECv2SigningOnly",
          keyExpiration: String(Date.now() + 86_400_000),
        },
      ],
    },
    signMessage(recipientId, message, options = {}) {
      const signedKey = JSON.stringify({
        keyValue: spki(intermediate.publicKey),
        keyExpiration: String(options.intermediateExpiresAt ?? Date.now() + 3_600_000),
      });
      const keySignature = sign(
        "sha256",
        lengthValue(SENDER_ID, "ECv2SigningOnly", signedKey),
        options.root ?? root.privateKey,
      ).toString("base64");
      const signedMessage = JSON.stringify(message);
      const signature = sign(
        "sha256",
        lengthValue(SENDER_ID, recipientId, "ECv2SigningOnly", signedMessage),
        intermediate.privateKey,
      ).toString("base64");
      return {
        signature,
        intermediateSigningKey: { signedKey, signatures: [keySignature] },
        protocolVersion: "ECv2SigningOnly",
        signedMessage,
      };
    },
  };
}
