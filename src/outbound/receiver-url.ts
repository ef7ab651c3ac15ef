// The check of a URL a caller registers for us to POST to later (a project callback, a webhook endpoint): refused
// now when its scheme is wrong or it names a private address; accepted when its name does not resolve yet (DNS not
// set up, a passing failure), since every delivery is checked again by the outbound guard.
import { InvalidInput } from "../domain/invalid-input.js";
import type { ErrorCode } from "../errors.js";
import { OutboundError, type OutboundGuard } from "./guard.js";

export async function checkReceiverUrl(
  guard: OutboundGuard,
  url: string,
  field: string,
  code: ErrorCode,
): Promise<void> {
  try {
    await guard.check(url);
  } catch (error) {
    if (!(error instanceof OutboundError)) throw error;
    if (error.reason === "resolve") return;
    const why = error.reason === "scheme" ? error.message : "is not a reachable public address";
    throw new InvalidInput([`${field} ${why}`], code);
  }
}
