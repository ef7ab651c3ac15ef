// The names a pass may carry values for: its template's headers and fields, plus the headers every pass may set
// even when its template does not define them (barcode, colours, images, dates, …).
import { APPLE_KEY_HEADERS } from "./apple-keys.js";
import { GOOGLE_KEY_HEADERS } from "./google-keys.js";

/** Headers a pass may set even when its template does not define them. */
export const KNOWN_HEADERS = new Set([
  ...APPLE_KEY_HEADERS,
  ...GOOGLE_KEY_HEADERS,
  "expirationDate",
  "relevantDate",
  "barcode_value",
  "barcodeAltText",
  "barcode_alt_text",
  "barcode_label",
  "barcode_type",
  "barcode_encoding",
  "logo_text",
  "logo_color",
  "foreground_color",
  "background_color",
  "label_color",
  "icon_image",
  "logo_image",
  "strip_image",
  "thumbnail_image",
  "background_image",
  "footer_image",
  "artwork_image",
  "primary_logo_image",
  "secondary_logo_image",
  "suppress_strip_shine",
  "description",
  "organizationName",
  "sharingProhibited",
  "nfc_message",
  "transitType",
]);

/** Whether a pass of this template (design or merged view) may take a value named `name`. */
export function takesValue(template: { headers: object; fields: object }, name: string): boolean {
  return name in template.fields || name in template.headers || KNOWN_HEADERS.has(name);
}
