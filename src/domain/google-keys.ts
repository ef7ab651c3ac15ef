// Google's object keys a pass may carry as headers (as Apple's top-level keys are; see apple-keys.ts):
// `linkedObjectIds`, the passes shown with this one in Google Wallet (a parking pass with its ticket), named by
// their pass ids in the same account.

export const GOOGLE_KEY_HEADERS = ["linkedObjectIds", "rotatingBarcode"];

/** A rotating (TOTP) barcode's settings, as a template or pass gives them and their defaults. */
export interface RotatingBarcode {
  type: string;
  valuePattern: string;
  periodMillis: number;
  valueLength: number;
  alternateText?: string;
}

export const ROTATING_TYPES = ["QR_CODE", "AZTEC", "PDF_417", "CODE_128"];
export const TOTP_PLACEHOLDER = "{totp_value_0}";

/** The settings of a `rotatingBarcode` header's value (checked already), with their defaults. */
export function rotatingBarcodeOf(value: unknown): RotatingBarcode | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  return {
    type: typeof v.type === "string" ? v.type : "QR_CODE",
    valuePattern: typeof v.valuePattern === "string" ? v.valuePattern : TOTP_PLACEHOLDER,
    periodMillis: typeof v.periodMillis === "number" ? v.periodMillis : 30_000,
    valueLength: typeof v.valueLength === "number" ? v.valueLength : 8,
    ...(typeof v.alternateText === "string" ? { alternateText: v.alternateText } : {}),
  };
}

/** Passes one pass may link (Google allows ten). */
export const MAX_LINKED_PASSES = 10;

export const isGoogleStructuredHeader = (name: string) => GOOGLE_KEY_HEADERS.includes(name);

/** The problem with a value of one of these headers, or undefined. */
export function googleKeyProblem(name: string, value: unknown, at: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (name === "rotatingBarcode") return rotatingProblem(value, at);
  if (name !== "linkedObjectIds") return undefined;
  return Array.isArray(value) &&
    value.length <= MAX_LINKED_PASSES &&
    value.every((id) => Number.isSafeInteger(id) && id > 0 && id <= 2_147_483_647)
    ? undefined
    : `${at} must be an array of at most ${MAX_LINKED_PASSES} pass ids`;
}

function rotatingProblem(value: unknown, at: string): string | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return `${at} must be {"type"?, "valuePattern"?, "periodMillis"?, "valueLength"?, "alternateText"?}`;
  }
  const v = value as Record<string, unknown>;
  if (v.type !== undefined && !ROTATING_TYPES.includes(v.type as string)) {
    return `${at}.type must be one of ${ROTATING_TYPES.join(", ")}`;
  }
  if (
    v.valuePattern !== undefined &&
    (typeof v.valuePattern !== "string" || !v.valuePattern.includes(TOTP_PLACEHOLDER) || v.valuePattern.length > 500)
  ) {
    return `${at}.valuePattern must be a text of at most 500 characters holding ${TOTP_PLACEHOLDER}`;
  }
  if (
    v.periodMillis !== undefined &&
    !(Number.isInteger(v.periodMillis) && (v.periodMillis as number) >= 1000 && (v.periodMillis as number) <= 300_000)
  ) {
    return `${at}.periodMillis must be an integer from 1000 to 300000`;
  }
  if (
    v.valueLength !== undefined &&
    !(Number.isInteger(v.valueLength) && (v.valueLength as number) >= 6 && (v.valueLength as number) <= 10)
  ) {
    return `${at}.valueLength must be an integer from 6 to 10`;
  }
  if (v.alternateText !== undefined && (typeof v.alternateText !== "string" || v.alternateText.length > 255)) {
    return `${at}.alternateText must be a string of at most 255 characters`;
  }
  return undefined;
}

/**
 * A message an issuer put on a Google pass (Airship's POST /v1/pass/{id}/message), as the pass keeps it:
 * core/passes/google-message.ts makes it, google/mapping.ts sends it in the object's `messages`.
 */
export interface GoogleMessage {
  id: string;
  header: string;
  body: string;
  messageType: "text" | "expirationNotification";
  startTime?: string;
  endTime?: string;
  createdAt: string;
  updatedAt: string;
}
