// NFC keys: Apple VAS and Google Smart Tap both use ECDH/ECDSA keys on P-256.
import { createPublicKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { AppError } from "../../errors.js";

/** Base64 DER SubjectPublicKeyInfo in 64-character lines: the form the Airship API shows keys in. */
function base64Lines(der: Buffer): string {
  return `${der
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "")}\n`;
}

export function generateNfcKeyPair(): { publicKeyPem: string; privateKeyPem: string } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  return {
    publicKeyPem: base64Lines(publicKey.export({ type: "spki", format: "der" })),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}

/** Accepts a PEM public key or its bare base64 DER body; it must be an EC key on P-256. */
export function parseNfcPublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    if (trimmed.startsWith("-----BEGIN")) {
      key = createPublicKey(trimmed);
    } else {
      if (!/^[A-Za-z0-9+/=\s]+$/.test(trimmed)) throw new Error("not base64");
      key = createPublicKey({ key: Buffer.from(trimmed.replace(/\s+/g, ""), "base64"), format: "der", type: "spki" });
    }
  } catch {
    throw new AppError(
      "INVALID_PUBLIC_KEY",
      "publicKeyPem is not a valid public key (PEM or base64 DER SubjectPublicKeyInfo)",
      {
        field: "publicKeyPem",
      },
    );
  }
  if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
    throw new AppError("INVALID_PUBLIC_KEY", "publicKeyPem must be an elliptic-curve key on P-256 (prime256v1)", {
      field: "publicKeyPem",
    });
  }
  return key;
}
