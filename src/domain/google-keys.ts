// Google's object keys a pass may carry as headers (as Apple's top-level keys are; see apple-keys.ts):
// `linkedObjectIds`, the passes shown with this one in Google Wallet (a parking pass with its ticket), named by
// their pass ids in the same account.

export const GOOGLE_KEY_HEADERS = ["linkedObjectIds"];

/** Passes one pass may link (Google allows ten). */
export const MAX_LINKED_PASSES = 10;

export const isGoogleStructuredHeader = (name: string) => GOOGLE_KEY_HEADERS.includes(name);

/** The problem with a value of one of these headers, or undefined. */
export function googleKeyProblem(name: string, value: unknown, at: string): string | undefined {
  if (name !== "linkedObjectIds" || value === undefined || value === null) return undefined;
  return Array.isArray(value) &&
    value.length <= MAX_LINKED_PASSES &&
    value.every((id) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647)
    ? undefined
    : `${at} must be an array of at most ${MAX_LINKED_PASSES} pass ids`;
}
