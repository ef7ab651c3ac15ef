// Time-based one-time passwords (RFC 6238, HMAC-SHA1) as Google's rotating barcodes compute them: the code of a
// time step, and the check a scanner asks for (the current step and one either side, for clocks a little apart).
import { createHmac, timingSafeEqual } from "node:crypto";

/** The TOTP code of `key` at the step holding `atMs`. */
export function totpCode(key: Buffer, atMs: number, periodMillis: number, digits: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / periodMillis)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, "0");
}

/** Whether `value` is the barcode `pattern` shows now (or one step before or after), compared in constant time. */
export function verifyTotp(
  value: string,
  key: Buffer,
  atMs: number,
  setting: { valuePattern: string; periodMillis: number; valueLength: number },
  placeholder: string,
): boolean {
  let valid = false;
  for (const step of [-1, 0, 1]) {
    const expected = Buffer.from(
      setting.valuePattern.replace(
        placeholder,
        totpCode(key, atMs + step * setting.periodMillis, setting.periodMillis, setting.valueLength),
      ),
    );
    const given = Buffer.from(value);
    if (expected.length === given.length && timingSafeEqual(expected, given)) valid = true;
  }
  return valid;
}
