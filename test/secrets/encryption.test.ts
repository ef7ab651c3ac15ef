// Secrets at rest: AES-256-GCM round trip, fresh nonces, and refusal of anything tampered with or sealed under
// another key.
import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { SecretBox } from "../../src/secrets/encryption.js";

const box = SecretBox.fromText(randomBytes(32).toString("base64"));

describe("SecretBox", () => {
  it("opens what it sealed, with a new nonce each time", () => {
    const secret = Buffer.from("-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n");
    const a = box.seal(secret);
    const b = box.seal(secret);
    expect(a.equals(b)).toBe(false);
    expect(a.includes(secret)).toBe(false);
    expect(box.open(a).equals(secret)).toBe(true);
    expect(box.open(b).equals(secret)).toBe(true);
  });

  it("refuses a sealed secret with any byte changed, cut short, or under another key", () => {
    const sealed = box.seal(Buffer.from("the key"));
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(() => box.open(tampered), `byte ${i}`).toThrow();
    }
    expect(() => box.open(sealed.subarray(0, 20))).toThrow();
    const other = SecretBox.fromText(randomBytes(32).toString("hex"));
    expect(() => other.open(sealed)).toThrow();
  });

  it("takes its key as 32 bytes of base64 or hex only", () => {
    expect(() => SecretBox.fromText("too short")).toThrow();
    expect(() => SecretBox.fromText(randomBytes(16).toString("base64"))).toThrow();
    expect(() => SecretBox.fromText(randomBytes(32).toString("hex"))).not.toThrow();
  });
});
