// Rewards sign-up through Apple Wallet (the PassKit web service's personalize call): which information a pass asks
// for, and what of the holder's answer is kept. Keeping it, once, is apple/sign-up-store.ts.
import { InvalidInput } from "../domain/invalid-input.js";

/** Longest sign-up value kept (names, e-mail addresses, phone numbers and postal codes are far shorter). */
export const SIGN_UP_VALUE_MAX = 256;

/** The template's required fields (name, postalCode, emailAddress, phoneNumber), or undefined when none. */
export function requiredFieldsOf(requirements: unknown): string[] | undefined {
  if (!Array.isArray(requirements)) return undefined;
  const fields = requirements.filter((f): f is string => typeof f === "string");
  return fields.length ? fields : undefined;
}

/** Wallet's keys for each field a template may require. */
const INFO_KEYS: Record<string, string[]> = {
  name: ["fullName", "givenName", "familyName"],
  postalCode: ["postalCode", "ISOCountryCode"],
  emailAddress: ["emailAddress"],
  phoneNumber: ["phoneNumber"],
};

/** Only what the template asked for is kept; a required field left out is a 400. */
export function personalizationInfo(given: Record<string, string>, required: string[]): Record<string, string> {
  const info: Record<string, string> = {};
  const missing: string[] = [];
  for (const field of required) {
    let found = false;
    for (const key of INFO_KEYS[field] ?? []) {
      const value = given[key]?.trim();
      if (value) {
        info[key] = value;
        found = true;
      }
    }
    if (!found) missing.push(field);
  }
  if (missing.length) {
    throw new InvalidInput([`requiredPersonalizationInfo lacks ${missing.join(", ")}`]);
  }
  return info;
}
