// The APNs client: HTTP/2 to APNS_HOST, one long-lived connection per credential with many concurrent streams.
// Wallet pushes are empty ({}) background notifications whose topic is the pass type id. Authentication is a
// provider token (.p8, ES256 JWT renewed every 50 minutes) or the pass certificate as TLS client certificate.
import { type KeyObject, sign } from "node:crypto";
import http2 from "node:http2";
import { type Clock, systemClock } from "../clock.js";
import { apnsPushes } from "../observability/counters.js";

export interface ApnsTarget {
  pushToken: string;
  topic: string;
}

/** A TLS client identity for certificate authentication (the pass type certificate). */
export interface ApnsCertificate {
  /** Identifies the identity (a connection is kept per identity). */
  id: string;
  certificatePem: string;
  privateKeyPem: string;
}

export interface ApnsTokenKey {
  key: KeyObject;
  keyId: string;
  teamId: string;
}

export interface ApnsOptions {
  /** host or host:port */
  host: string;
  token?: ApnsTokenKey;
  /** Extra trusted CAs (a test server or a proxy). */
  ca?: string;
  timeoutMs?: number;
  /** Attempts per push for 429, 5xx, timeouts and connection errors. */
  attempts?: number;
  backoffMs?: number;
  /** The provider token's age is read against it (default the system's). */
  clock?: Clock;
}

export type PushOutcome = "sent" | "unregistered" | "failed";

interface Answer {
  status: number;
  reason?: string;
}

const RETRYABLE = (answer: Answer) => answer.status === 429 || answer.status >= 500 || answer.status === 0;
const UNREGISTERED = (answer: Answer) =>
  answer.status === 410 || answer.reason === "Unregistered" || answer.reason === "BadDeviceToken";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class ApnsClient {
  private readonly sessions = new Map<string, http2.ClientHttp2Session>();
  private readonly authority: string;
  private jwt: { value: string; at: number } | undefined;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: ApnsOptions) {
    this.authority = `https://${options.host.includes(":") ? options.host : `${options.host}:443`}`;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.attempts = options.attempts ?? 4;
    this.backoffMs = options.backoffMs ?? 250;
  }

  get usesToken(): boolean {
    return this.options.token !== undefined;
  }

  private session(certificate: ApnsCertificate | undefined): http2.ClientHttp2Session {
    const id = this.options.token ? "token" : `cert:${certificate?.id}`;
    const existing = this.sessions.get(id);
    if (existing && !existing.closed && !existing.destroyed) return existing;
    const session = http2.connect(this.authority, {
      ...(this.options.ca ? { ca: this.options.ca } : {}),
      ...(this.options.token || !certificate
        ? {}
        : { cert: certificate.certificatePem, key: certificate.privateKeyPem }),
    });
    session.setMaxListeners(0);
    const forget = () => {
      if (this.sessions.get(id) === session) this.sessions.delete(id);
    };
    session.on("error", forget);
    session.on("close", forget);
    session.on("goaway", forget);
    session.unref();
    this.sessions.set(id, session);
    return session;
  }

  /** The provider token: an ES256 JWT, reused for 50 minutes (APNs accepts 20–60). */
  private providerToken(): string {
    const token = this.options.token!;
    if (this.jwt && (this.options.clock ?? systemClock).now() - this.jwt.at < 50 * 60_000) return this.jwt.value;
    const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const head = `${encode({ alg: "ES256", kid: token.keyId })}.${encode({ iss: token.teamId, iat: Math.floor((this.options.clock ?? systemClock).now() / 1000) })}`;
    const signature = sign("sha256", Buffer.from(head), { key: token.key, dsaEncoding: "ieee-p1363" });
    this.jwt = { value: `${head}.${signature.toString("base64url")}`, at: (this.options.clock ?? systemClock).now() };
    return this.jwt.value;
  }

  private once(target: ApnsTarget, certificate: ApnsCertificate | undefined): Promise<Answer> {
    return new Promise((resolve) => {
      let session: http2.ClientHttp2Session;
      try {
        session = this.session(certificate);
      } catch {
        resolve({ status: 0, reason: "connection failed" });
        return;
      }
      const headers: http2.OutgoingHttpHeaders = {
        ":method": "POST",
        ":path": `/3/device/${target.pushToken}`,
        "apns-topic": target.topic,
        "apns-push-type": "background",
        "content-type": "application/json",
      };
      if (this.options.token) headers.authorization = `bearer ${this.providerToken()}`;
      let request: http2.ClientHttp2Stream;
      try {
        request = session.request(headers);
      } catch {
        resolve({ status: 0, reason: "connection failed" });
        return;
      }
      let status = 0;
      let body = "";
      request.setTimeout(this.timeoutMs, () => request.close(http2.constants.NGHTTP2_CANCEL));
      request.on("response", (h) => {
        status = Number(h[":status"] ?? 0);
      });
      request.setEncoding("utf8");
      request.on("data", (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      const finish = () => {
        let reason: string | undefined;
        try {
          reason = body ? (JSON.parse(body) as { reason?: string }).reason : undefined;
        } catch {
          reason = undefined;
        }
        resolve({ status, reason });
      };
      request.on("close", finish);
      request.on("error", () => undefined); // "close" follows and reports status 0
      request.end("{}");
    });
  }

  /** One push, retried with exponential backoff on 429, 5xx, timeouts and connection errors. */
  async push(target: ApnsTarget, certificate?: ApnsCertificate): Promise<PushOutcome> {
    const outcome = await this.attempt(target, certificate);
    apnsPushes.inc({ outcome });
    return outcome;
  }

  private async attempt(target: ApnsTarget, certificate?: ApnsCertificate): Promise<PushOutcome> {
    for (let attempt = 1; ; attempt++) {
      const answer = await this.once(target, certificate);
      if (answer.status === 200) return "sent";
      if (UNREGISTERED(answer)) return "unregistered";
      if (!RETRYABLE(answer) || attempt >= this.attempts) return "failed";
      await sleep(this.backoffMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
    }
  }

  close(): void {
    for (const session of this.sessions.values()) session.close();
    this.sessions.clear();
  }
}
