// Secrets at rest (private keys, service-account keys): AES-256-GCM under the server's master key, which comes
// from WALLET_ENCRYPTION_KEY or, in development, a key generated once into the data directory.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const VERSION = 1;

export class SecretBox {
  private constructor(
    private readonly key: Buffer,
    /** Read-only: the key before a rotation, tried when the current one does not open a secret. */
    private readonly previous?: Buffer,
  ) {}

  /** This box, also reading secrets sealed with `previous` (during a key rotation). */
  withPrevious(previous: string): SecretBox {
    return new SecretBox(this.key, SecretBox.fromText(previous).key);
  }

  /** A box from a 32-byte key written as base64 or hex. */
  static fromText(text: string): SecretBox {
    const trimmed = text.trim();
    const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
    if (key.length !== 32) throw new Error("WALLET_ENCRYPTION_KEY must be 32 bytes, as base64 or 64 hex digits");
    return new SecretBox(key);
  }

  /**
   * The configured key, or the development key in `dataDir` (created on first use). `generated` tells the caller
   * to warn: losing that file makes stored secrets unreadable.
   */
  static load(configured: string | undefined, dataDir: string): { box: SecretBox; generated: boolean; path?: string } {
    if (configured) return { box: SecretBox.fromText(configured), generated: false };
    const path = join(dataDir, "wallet-encryption.key");
    if (!existsSync(path)) {
      mkdirSync(dataDir, { recursive: true });
      try {
        writeFileSync(path, `${randomBytes(32).toString("base64")}\n`, { mode: 0o600, flag: "wx" });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error; // another process made it first
      }
    }
    chmodSync(path, 0o600);
    return { box: SecretBox.fromText(readFileSync(path, "utf8")), generated: true, path };
  }

  /** version (1) | IV (12) | tag (16) | ciphertext */
  seal(plaintext: Buffer): Buffer {
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", this.key, iv);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  open(sealed: Buffer): Buffer {
    return this.openWith(sealed).plaintext;
  }

  /** Opens a secret, saying whether it needed the previous key (so a rotation knows what to re-seal). */
  openWith(sealed: Buffer): { plaintext: Buffer; previous: boolean } {
    if (sealed.length < 29 || sealed[0] !== VERSION) throw new Error("Unknown secret format");
    for (const [key, previous] of [
      [this.key, false],
      [this.previous, true],
    ] as const) {
      if (!key) continue;
      const decipher = createDecipheriv("aes-256-gcm", key, sealed.subarray(1, 13));
      decipher.setAuthTag(sealed.subarray(13, 29));
      try {
        return { plaintext: Buffer.concat([decipher.update(sealed.subarray(29)), decipher.final()]), previous };
      } catch {
        // not this key
      }
    }
    throw new Error("A stored secret could not be decrypted: is WALLET_ENCRYPTION_KEY the key it was stored with?");
  }
}
