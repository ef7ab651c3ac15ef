// Pacing of Google Wallet API calls. Google's quota is per Google Cloud project (20 requests per second by
// default), so calls are paced per service account's project; the pacing shared by every process on the database
// is google/rate-gate-store.ts.

export interface RateGate {
  /** Waits for this bucket's next call slot. */
  take(bucket: string): Promise<void>;
  /** Google said "too many": no call of this bucket before `ms` from now. */
  pause(bucket: string, ms: number): Promise<void>;
}

/** Google's default Wallet API quota (developers.google.com/wallet/generic/resources/faq). */
export const GOOGLE_DEFAULT_REQUESTS_PER_SECOND = 20;

/** The quota bucket of a service account: its Google Cloud project (the domain of its e-mail address). */
export function quotaBucketOf(clientEmail: string): string {
  const at = clientEmail.lastIndexOf("@");
  return at < 0 ? clientEmail : clientEmail.slice(at + 1);
}

/** No pacing (a client made without a database, e.g. `cli doctor`'s token check). */
export const UNPACED: RateGate = { take: async () => undefined, pause: async () => undefined };
