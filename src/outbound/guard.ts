// The outbound request guard: every request the server makes on someone else's behalf (images named by API
// clients; callbacks and webhooks later) goes through here. The URL must be https (http only where the operator
// allows it); its name is resolved once, every address is checked, and the request connects to the checked
// address (no second lookup a DNS rebinding could change). Redirects are followed by hand, each hop checked
// again, at most three. Time and size are bounded, and failures carry one generic message: a caller learns
// nothing about the network behind the server (which ports are open, which names resolve inside).
import { lookup as dnsLookup } from "node:dns/promises";
import http from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { Allowlist, isNonPublicAddress } from "./addresses.js";

export interface OutboundOptions {
  /** Hosts, IPs and CIDR ranges the operator allows even when private (OUTBOUND_ALLOWLIST). */
  allowlist?: readonly string[];
  /** Allow plain http to public hosts too (allowlisted targets may always use http). */
  allowHttp?: boolean;
  /** Resolver (tests give a fake to play DNS tricks); default the system's. */
  resolve?: (hostname: string) => Promise<{ address: string; family: number }[]>;
}

export interface OutboundRequest {
  method?: "GET" | "POST" | "PUT";
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  maxBytes: number;
  /** Redirects to follow (each re-checked); 0 means a 3xx is the answer. */
  maxRedirects?: number;
  /**
   * Reuse connections (deliveries to one receiver): sockets are pooled per checked address, so a reused socket
   * is always one that was opened to an address that passed the rules.
   */
  keepAlive?: boolean;
}

export interface OutboundResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

export type RefusalReason =
  | "scheme"
  | "address"
  | "resolve"
  | "network"
  | "timeout"
  | "too-large"
  | "redirects"
  | "status";

/** A refused or failed outbound request. `message` is safe to show to the caller; `reason` is for logs. */
export class OutboundError extends Error {
  constructor(
    readonly reason: RefusalReason,
    message = "could not be fetched",
  ) {
    super(message);
    this.name = "OutboundError";
  }
}

const MAX_REDIRECTS = 3;
/** Connection pools kept for keep-alive requests (one per checked address, host and scheme); the oldest goes. */
const MAX_POOLS = 256;

export class OutboundGuard {
  private readonly allowlist: Allowlist;
  private readonly allowHttp: boolean;
  private readonly resolve: NonNullable<OutboundOptions["resolve"]>;
  private readonly pools = new Map<string, http.Agent>();

  constructor(options: OutboundOptions = {}) {
    this.allowlist = new Allowlist(options.allowlist ?? []);
    this.allowHttp = options.allowHttp ?? false;
    this.resolve = options.resolve ?? ((hostname) => dnsLookup(hostname, { all: true, verbatim: true }));
  }

  /** Makes the request if every hop passes the rules; throws OutboundError otherwise. */
  async fetch(url: string, request: OutboundRequest): Promise<OutboundResponse> {
    // On the monotonic clock: a timeout measures elapsed time, which a wall-clock step must not change.
    const deadline = performance.now() + request.timeoutMs;
    const maxRedirects = Math.min(request.maxRedirects ?? MAX_REDIRECTS, MAX_REDIRECTS);
    let current = this.parse(url);
    let method = request.method ?? "GET";
    let body = request.body;
    for (let hop = 0; ; hop++) {
      const address = await this.checkedAddress(current);
      const response = await this.send(current, address, { ...request, method, body }, deadline);
      const location = response.headers.location;
      if (response.status < 300 || response.status >= 400 || response.status === 304 || !location) return response;
      if (hop >= maxRedirects) {
        if (maxRedirects === 0) return response;
        throw new OutboundError("redirects");
      }
      current = this.parse(new URL(location, current).href);
      if (response.status !== 307 && response.status !== 308) {
        method = "GET";
        body = undefined;
      }
    }
  }

  /** Checks a URL as fetch would (scheme, every resolved address) without sending anything. */
  async check(url: string): Promise<void> {
    await this.checkedAddress(this.parse(url));
  }

  private parse(url: string): URL {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new OutboundError("scheme", "must be an https URL");
    }
    if (parsed.username || parsed.password) throw new OutboundError("scheme", "must not carry credentials");
    const host = bareHost(parsed);
    const allowlisted = this.allowlist.allowsHost(host) || this.allowlist.allowsAddress(host);
    const schemeOk = parsed.protocol === "https:" || (parsed.protocol === "http:" && (this.allowHttp || allowlisted));
    if (!schemeOk)
      throw new OutboundError("scheme", this.allowHttp ? "must be an http(s) URL" : "must be an https URL");
    return parsed;
  }

  /** The one address the request will connect to, after every address the name has was checked. */
  private async checkedAddress(url: URL): Promise<{ address: string; family: number }> {
    const host = bareHost(url);
    const literal = isIP(host);
    let addresses: { address: string; family: number }[];
    if (literal) addresses = [{ address: host, family: literal }];
    else {
      try {
        addresses = await this.resolve(host);
      } catch {
        throw new OutboundError("resolve");
      }
    }
    if (addresses.length === 0) throw new OutboundError("resolve");
    const hostAllowed = !literal && this.allowlist.allowsHost(host);
    // Every address must pass: a name that also resolves inside could be steered there.
    for (const { address } of addresses) {
      if (!hostAllowed && isNonPublicAddress(address) && !this.allowlist.allowsAddress(address)) {
        throw new OutboundError("address");
      }
    }
    return addresses[0]!;
  }

  /** The keep-alive pool for one checked address of one host (sockets in it only ever connected there). */
  private poolFor(url: URL, address: string): http.Agent {
    const key = `${url.protocol}//${bareHost(url)}:${url.port}@${address}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const options = { keepAlive: true, maxSockets: 64, maxFreeSockets: 16, timeout: 30_000 };
      pool = url.protocol === "https:" ? new https.Agent(options) : new http.Agent(options);
      this.pools.set(key, pool);
      if (this.pools.size > MAX_POOLS) {
        const [oldest, old] = this.pools.entries().next().value as [string, http.Agent];
        this.pools.delete(oldest);
        old.destroy();
      }
    }
    return pool;
  }

  /** Closes pooled connections (at shutdown). */
  close(): void {
    for (const pool of this.pools.values()) pool.destroy();
    this.pools.clear();
  }

  private send(
    url: URL,
    target: { address: string; family: number },
    request: OutboundRequest & { method: string },
    deadline: number,
  ): Promise<OutboundResponse> {
    const remaining = deadline - performance.now();
    if (remaining <= 0) return Promise.reject(new OutboundError("timeout"));
    // Connect to the checked address only; the name still goes into Host and TLS SNI/verification.
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [target]);
      } else callback(null, target.address, target.family);
    };
    const client = url.protocol === "https:" ? https : http;
    const agent = request.keepAlive ? this.poolFor(url, target.address) : false;
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (error: OutboundError) => {
        if (settled) return;
        settled = true;
        req.destroy();
        reject(error);
      };
      const timer = setTimeout(() => fail(new OutboundError("timeout")), remaining);
      const req = client.request(
        url,
        {
          method: request.method,
          headers: { "user-agent": "wallet-pass-server", ...request.headers },
          lookup: pinned,
          agent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let total = 0;
          res.on("data", (chunk: Buffer) => {
            total += chunk.length;
            if (total > request.maxBytes) fail(new OutboundError("too-large", "is too large"));
            else chunks.push(chunk);
          });
          res.on("error", () => fail(new OutboundError("network")));
          res.on("end", () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url: url.href });
          });
        },
      );
      req.on("error", () => {
        clearTimeout(timer);
        fail(new OutboundError("network"));
      });
      req.on("close", () => clearTimeout(timer));
      req.end(request.body);
    });
  }
}

/** The URL's host without IPv6 brackets, lower-cased. */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "").toLowerCase();
}
