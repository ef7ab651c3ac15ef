// The Google callback signature check against Google's own published test material (Tink's payment-method-token
// tests: their fixed ECv1 token and their ECv2SigningOnly test keys and verifying-keys document), not only against
// this project's fake signer.
import { createPrivateKey, sign } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  lengthValue,
  MAX_INTERMEDIATE_SIGNATURES,
  parseRootKeys,
  SENDER_ID,
  verificationProblem,
} from "../../src/google/callback.js";

// Google's fixed ECv1 token for recipient "someRecipient", signed by the ECv1 key of the keys document below.
const EC_V1_TOKEN = String.raw`{"protocolVersion":"ECv1","signedMessage":"{\"tag\":\"ZVwlJt7dU8Plk0+r8rPF8DmPTvDiOA1UAoNjDV+SqDE\\u003d\",\"ephemeralPublicKey\":\"BPhVspn70Zj2Kkgu9t8+ApEuUWsI/zos5whGCQBlgOkuYagOis7qsrcbQrcprjvTZO3XOU+Qbcc28FSgsRtcgQE\\u003d\",\"encryptedMessage\":\"12jUObueVTdy\"}","signature":"MEQCIDxBoUCoFRGReLdZ/cABlSSRIKoOEFoU3e27c14vMZtfAiBtX3pGMEpnw6mSAbnagCCgHlCk3NcFwWYEyxIE6KGZVA\u003d\u003d"}`;
const EC_V1_PUBLIC =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEPYnHwS8uegWAewQtlxizmLFynwHcxRT1PK07cDA6/C4sXrVI1SzZCUx8U8S0LjMrT6ird/VW7be3Mz6t/srtRQ==";
// Google's ECv2SigningOnly test keys: the root's public key (as the keys document lists it) and private key, and
// the intermediate key pair.
const ROOT_PUBLIC =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENXvYqxD5WayKYhuXQevdGdLA8ifV4LsRS2uKvFo8wwyiwgQHB9DiKzG6T/P1Fu9Bl7zWy/se5Dy4wk1mJoPuxg==";
const ROOT_PRIVATE =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgRi9hSdY+knJ08odnYtZFMRi7ZYeMoasAijLhD4GiQ1yhRANCAAQ1e9irEPlZrIpiG5dB690Z0sDyJ9XguxFLa4q8WjzDDKLCBAcH0OIrMbpP8/UW70GXvNbL+x7kPLjCTWYmg+7G";
const INTERMEDIATE_PUBLIC =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE8OaurwvbyYm8JWDgFPRTIDg0/kcQTFAQ4txi5IP0AyM1QiagwRhDUfjpqZkpw8xt/DXwyWYM0DdHqoeVTKqmYQ==";
const INTERMEDIATE_PRIVATE =
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+Jvpkq26tpZ0sTTZVh4teEI41SnJdmkBzM8VZ5ZirE2hRANCAATw5q6vC9vJibwlYOAU9FMgODT+RxBMUBDi3GLkg/QDIzVCJqDBGENR+OmpmSnDzG38NfDJZgzQN0eqh5VMqqZh";
const ALTERNATE_PUBLIC =
  "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEU8E6JppGKFG40r5dDU1idHRN52NuwsemFzXZh1oUqh3bGUPgPioH+RoWnmVSUQz1WfM2426w9f0GADuXzpUkcw==";

const DAY = 86_400_000;
const NOW = Date.UTC(2030, 0, 1);
const RECIPIENT = "3388000000012345678";

const keysDocument = (rootPublic = ROOT_PUBLIC, expiration: string | null = String(NOW + DAY)) => ({
  keys: [
    { keyValue: EC_V1_PUBLIC, protocolVersion: "ECv1" },
    { keyValue: rootPublic, protocolVersion: "ECv2SigningOnly", ...(expiration ? { keyExpiration: expiration } : {}) },
  ],
});

const der = (key: string) => createPrivateKey({ key: Buffer.from(key, "base64"), format: "der", type: "pkcs8" });

/** A callback signed with Google's test keys, the way Google signs ECv2SigningOnly messages. */
function signed(message: string, intermediateExpires = NOW + DAY, recipient = RECIPIENT) {
  const signedKey = JSON.stringify({ keyValue: INTERMEDIATE_PUBLIC, keyExpiration: String(intermediateExpires) });
  const keySignature = sign("sha256", lengthValue(SENDER_ID, "ECv2SigningOnly", signedKey), der(ROOT_PRIVATE));
  const signature = sign(
    "sha256",
    lengthValue(SENDER_ID, recipient, "ECv2SigningOnly", message),
    der(INTERMEDIATE_PRIVATE),
  );
  return {
    protocolVersion: "ECv2SigningOnly",
    intermediateSigningKey: { signedKey, signatures: [keySignature.toString("base64")] },
    signedMessage: message,
    signature: signature.toString("base64"),
  };
}

describe("Google's published test material", () => {
  it("verifies Google's fixed ECv1 token over the bytes lengthValue builds", async () => {
    const { createPublicKey, verify } = await import("node:crypto");
    const token = JSON.parse(EC_V1_TOKEN) as { signedMessage: string; signature: string };
    const key = createPublicKey({ key: Buffer.from(EC_V1_PUBLIC, "base64"), format: "der", type: "spki" });
    const data = lengthValue("Google", "someRecipient", "ECv1", token.signedMessage);
    expect(verify("sha256", data, key, Buffer.from(token.signature, "base64"))).toBe(true);
    // One changed byte of the message, or another recipient, and it no longer verifies.
    const other = lengthValue("Google", "otherRecipient", "ECv1", token.signedMessage);
    expect(verify("sha256", other, key, Buffer.from(token.signature, "base64"))).toBe(false);
  });

  it("trusts only the ECv2SigningOnly keys of Google's keys document that carry an expiration", () => {
    expect(parseRootKeys(keysDocument())).toHaveLength(1);
    expect(parseRootKeys(keysDocument(ROOT_PUBLIC, null))).toHaveLength(0);
    expect(parseRootKeys({ keys: "nope" })).toEqual([]);
  });

  it("accepts a message signed with Google's test keys and refuses every tampering Google's tests try", () => {
    const roots = parseRootKeys(keysDocument());
    const message = JSON.stringify({ eventType: "save", objectId: "x", nonce: "n", expTimeMillis: NOW + DAY });
    expect(verificationProblem(signed(message), RECIPIENT, roots, NOW)).toBeUndefined();

    const changedMessage = { ...signed(message), signedMessage: `${message} ` };
    expect(verificationProblem(changedMessage, RECIPIENT, roots, NOW)).toMatch(/message signature/);
    expect(verificationProblem(signed(message), `not${RECIPIENT}`, roots, NOW)).toMatch(/message signature/);
    expect(verificationProblem(signed(message), RECIPIENT, parseRootKeys(keysDocument(ALTERNATE_PUBLIC)), NOW)).toMatch(
      /not signed by a Google root key/,
    );
    expect(
      verificationProblem(signed(message), RECIPIENT, parseRootKeys(keysDocument(ROOT_PUBLIC, String(NOW - DAY))), NOW),
    ).toMatch(/not signed by a Google root key/);
    const changedKey = signed(message);
    changedKey.intermediateSigningKey.signedKey += " ";
    expect(verificationProblem(changedKey, RECIPIENT, roots, NOW)).toMatch(/not signed by a Google root key/);
    expect(verificationProblem(signed(message, NOW - DAY), RECIPIENT, roots, NOW)).toMatch(/expired/);

    // A wrong signature beside the right one: the right one is enough.
    const two = signed(message);
    const wrong = Buffer.from(two.intermediateSigningKey.signatures[0]!, "base64");
    wrong[0] = ~wrong[0]! & 0xff;
    expect(
      verificationProblem(
        { ...two, intermediateSigningKey: { ...two.intermediateSigningKey, signatures: [wrong.toString("base64")] } },
        RECIPIENT,
        roots,
        NOW,
      ),
    ).toMatch(/not signed/);
    two.intermediateSigningKey.signatures.unshift(wrong.toString("base64"));
    expect(verificationProblem(two, RECIPIENT, roots, NOW)).toBeUndefined();
  });

  it("refuses a signature list longer than Google sends before checking any signature", () => {
    const roots = parseRootKeys(keysDocument());
    const message = JSON.stringify({ eventType: "save", objectId: "x", nonce: "n", expTimeMillis: NOW + DAY });
    const good = signed(message);
    const junk = Buffer.alloc(70, 1).toString("base64");
    const padded = (n: number) => ({
      ...good,
      intermediateSigningKey: {
        ...good.intermediateSigningKey,
        signatures: [...Array(n - 1).fill(junk), ...good.intermediateSigningKey.signatures],
      },
    });
    expect(verificationProblem(padded(MAX_INTERMEDIATE_SIGNATURES), RECIPIENT, roots, NOW)).toBeUndefined();
    // One more, the valid one last: refused at once, however valid the last one is.
    expect(verificationProblem(padded(MAX_INTERMEDIATE_SIGNATURES + 1), RECIPIENT, roots, NOW)).toMatch(
      /more than 4 intermediate/,
    );
    // 400 junk signatures (what a 64 KiB body holds) are refused by their count, not checked one by one.
    expect(verificationProblem(padded(400), RECIPIENT, roots, NOW)).toMatch(/more than/);
    const long = { ...good, intermediateSigningKey: { ...good.intermediateSigningKey, signatures: ["A".repeat(300)] } };
    expect(verificationProblem(long, RECIPIENT, roots, NOW)).toMatch(/not a short base64/);
  });
});
