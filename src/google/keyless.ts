// Google credentials without a key file (Cloud Run, GKE with workload identity, any Application Default
// Credentials): the process's own identity (google-auth-library's ADC — the metadata server, or
// GOOGLE_APPLICATION_CREDENTIALS) asks the IAM Credentials API for what a key would have made, for the service
// account GOOGLE_SERVICE_ACCOUNT_EMAIL names: Wallet API access tokens (generateAccessToken) and signed save-link
// JWTs (signJwt). The process's identity needs the "Service Account Token Creator" role on that account (also when
// it is the same account). Each save link then costs one IAM call: GoogleWallet caches them per pass version.
import { GoogleAuth } from "google-auth-library";
import { type Clock, systemClock } from "../clock.js";

/** The OAuth scope of every Google Wallet API call, for key files and keyless tokens alike. */
export const WALLET_SCOPE = "https://www.googleapis.com/auth/wallet_object.issuer";

const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform";

export interface KeylessIdentity {
  readonly serviceAccountEmail: string;
  /** A Wallet API access token for the service account (reused until a minute before it expires). */
  accessToken(): Promise<string>;
  /** The claims as a JWT signed by the service account's Google-managed key. */
  signJwt(claims: object): Promise<string>;
}

export class IamKeylessIdentity implements KeylessIdentity {
  private readonly auth = new GoogleAuth({ scopes: [CLOUD_PLATFORM] });
  private token: { value: string; expiresAt: number } | undefined;
  private fetching: Promise<string> | undefined;

  constructor(
    readonly serviceAccountEmail: string,
    /** The IAM Credentials API (default Google's). */
    private readonly iamUrl = "https://iamcredentials.googleapis.com",
    private readonly clock: Clock = systemClock,
  ) {}

  private async call<T>(method: "generateAccessToken" | "signJwt", data: object): Promise<T> {
    const client = await this.auth.getClient();
    const url = `${this.iamUrl}/v1/projects/-/serviceAccounts/${encodeURIComponent(this.serviceAccountEmail)}:${method}`;
    try {
      const response = await client.request<T>({ url, method: "POST", data, timeout: 15_000 });
      return response.data;
    } catch (error) {
      const status = (error as { status?: number; response?: { status?: number } }).response?.status;
      throw new Error(
        `Google IAM ${method} for ${this.serviceAccountEmail} failed${status ? ` (HTTP ${status})` : ""}: ` +
          `${(error as Error).message.slice(0, 300)}`,
      );
    }
  }

  accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > this.clock.now() + 60_000) return Promise.resolve(this.token.value);
    this.fetching ??= this.call<{ accessToken: string; expireTime: string }>("generateAccessToken", {
      scope: [WALLET_SCOPE],
      lifetime: "3600s",
    })
      .then((answer) => {
        const expiresAt = Date.parse(answer.expireTime);
        this.token = {
          value: answer.accessToken,
          expiresAt: Number.isFinite(expiresAt) ? expiresAt : this.clock.now() + 3_000_000,
        };
        return answer.accessToken;
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }

  async signJwt(claims: object): Promise<string> {
    const answer = await this.call<{ signedJwt: string }>("signJwt", { payload: JSON.stringify(claims) });
    return answer.signedJwt;
  }
}
