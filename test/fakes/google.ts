// A fake Google: the Wallet REST API (walletobjects/v1: insert, get, patch, addMessage for classes and objects),
// an OAuth token endpoint that checks the service account's signed assertion, the callback key endpoint, and for
// keyless credentials a GCE metadata server (Application Default Credentials: point GCE_METADATA_HOST here) and
// the IAM Credentials API (generateAccessToken, signJwt: only for a metadata token, signing with the account's key).
// Real HTTP on loopback; it records every request and can be scripted to fail.
import { generateKeyPairSync, type KeyObject, sign, verify } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedCall {
  method: string;
  path: string;
  resource?: string;
  id?: string;
  action?: "insert" | "patch" | "get" | "addMessage";
  body: unknown;
  authorization?: string;
  at: number;
}

export type Scripted = { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

export interface FakeGoogle {
  url: string;
  /** The fake's OAuth token endpoint (the server's GOOGLE_TOKEN_URL in tests). */
  tokenUrl: string;
  issuerId: string;
  serviceAccount: {
    type: string;
    client_email: string;
    private_key: string;
    private_key_id: string;
    token_uri: string;
  };
  publicKey: KeyObject;
  calls: RecordedCall[];
  tokenRequests: number;
  /** IAM Credentials calls made: "generateAccessToken <email>", "signJwt <email>". */
  iamCalls: string[];
  /** host:port of the fake metadata server (for GCE_METADATA_HOST). */
  metadataHost: string;
  stored: Map<string, Record<string, unknown>>;
  /** Answer a call before the default behaviour (return undefined to fall through). */
  script: (call: RecordedCall) => Scripted;
  /** Served at /keys for callback verification. */
  callbackKeys: unknown;
  walletCalls(): RecordedCall[];
  close(): Promise<void>;
}

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      body += c;
    });
    req.on("end", () => resolve(body));
  });
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers }).end(JSON.stringify(body ?? {}));
}

export async function startFakeGoogle(issuerId = "3388000000012345678"): Promise<FakeGoogle> {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const fake = {
    url: "",
    issuerId,
    calls: [] as RecordedCall[],
    tokenRequests: 0,
    iamCalls: [],
    stored: new Map<string, Record<string, unknown>>(),
    script: (() => undefined) as FakeGoogle["script"],
    callbackKeys: { keys: [] },
    publicKey,
  } as unknown as FakeGoogle;
  const tokens = new Set<string>();
  const metadataTokens = new Set<string>();
  const server: Server = createServer(async (req, res) => {
    const raw = await read(req);
    const url = new URL(req.url ?? "/", "http://x");
    if (url.pathname === "/keys") return send(res, 200, fake.callbackKeys);
    if (url.pathname.startsWith("/computeMetadata/")) {
      if (req.headers["metadata-flavor"] !== "Google") return send(res, 403, {});
      const flavor = { "metadata-flavor": "Google" };
      if (url.pathname.endsWith("/service-accounts/default/token")) {
        const token = `adc-${metadataTokens.size + 1}`;
        metadataTokens.add(token);
        return send(res, 200, { access_token: token, expires_in: 3600, token_type: "Bearer" }, flavor);
      }
      const text = url.pathname.endsWith("/project-id")
        ? "test-project"
        : url.pathname.endsWith("/email")
          ? "runtime@test-project.iam.gserviceaccount.com"
          : "";
      res.writeHead(200, { "content-type": "application/text", ...flavor }).end(text);
      return;
    }
    const iam = /^\/v1\/projects\/-\/serviceAccounts\/([^/:]+):(generateAccessToken|signJwt)$/.exec(url.pathname);
    if (iam) {
      const email = decodeURIComponent(iam[1]!);
      fake.iamCalls.push(`${iam[2]} ${email}`);
      if (!metadataTokens.has(String(req.headers.authorization).replace(/^Bearer /, ""))) {
        return send(res, 401, { error: { code: 401, message: "not a workload identity token" } });
      }
      if (email !== fake.serviceAccount.client_email) {
        return send(res, 403, {
          error: { code: 403, message: "Permission 'iam.serviceAccounts.getAccessToken' denied" },
        });
      }
      const request = JSON.parse(raw || "{}") as { scope?: string[]; payload?: string };
      if (iam[2] === "generateAccessToken") {
        if (!request.scope?.some((s) => s.includes("wallet_object.issuer")))
          return send(res, 400, { error: { code: 400 } });
        const token = `iam-token-${tokens.size + 1}`;
        tokens.add(token);
        return send(res, 200, { accessToken: token, expireTime: new Date(Date.now() + 3_600_000).toISOString() });
      }
      const header = Buffer.from(
        JSON.stringify({ alg: "RS256", kid: "0123456789abcdef0123456789abcdef01234567", typ: "JWT" }),
      ).toString("base64url");
      const head = `${header}.${Buffer.from(request.payload ?? "{}").toString("base64url")}`;
      const signature = sign("sha256", Buffer.from(head), privateKey).toString("base64url");
      return send(res, 200, { keyId: "0123456789abcdef0123456789abcdef01234567", signedJwt: `${head}.${signature}` });
    }
    if (url.pathname === "/token") {
      fake.tokenRequests++;
      const form = new URLSearchParams(raw);
      const assertion = form.get("assertion") ?? "";
      const [head, claims, signature] = assertion.split(".");
      const ok =
        form.get("grant_type") === "urn:ietf:params:oauth:grant-type:jwt-bearer" &&
        verify("sha256", Buffer.from(`${head}.${claims}`), publicKey, Buffer.from(signature ?? "", "base64url"));
      const payload = ok ? JSON.parse(Buffer.from(claims!, "base64url").toString()) : {};
      if (!ok || payload.aud !== fake.tokenUrl || !String(payload.scope).includes("wallet_object.issuer")) {
        return send(res, 400, { error: "invalid_grant" });
      }
      const token = `token-${tokens.size + 1}`;
      tokens.add(token);
      return send(res, 200, { access_token: token, expires_in: 3600, token_type: "Bearer" });
    }
    const match = /^\/walletobjects\/v1\/([A-Za-z]+)(?:\/([^/]+))?(?:\/(addMessage))?$/.exec(url.pathname);
    if (!match) return send(res, 404, { error: { code: 404, message: "no such path" } });
    const [, resource, encodedId, addMessage] = match;
    const id = encodedId ? decodeURIComponent(encodedId) : undefined;
    const body = raw ? JSON.parse(raw) : undefined;
    const action = addMessage
      ? "addMessage"
      : req.method === "POST"
        ? "insert"
        : req.method === "PATCH"
          ? "patch"
          : "get";
    const call: RecordedCall = {
      method: req.method!,
      path: url.pathname,
      resource,
      id,
      action,
      body,
      authorization: req.headers.authorization,
      at: Date.now(),
    };
    fake.calls.push(call);
    if (!tokens.has(String(req.headers.authorization).replace(/^Bearer /, ""))) {
      return send(res, 401, { error: { code: 401, message: "bad token" } });
    }
    const scripted = fake.script(call);
    if (scripted)
      return send(
        res,
        scripted.status,
        scripted.body ?? { error: { code: scripted.status, message: "scripted" } },
        scripted.headers,
      );
    const key = `${resource}/${id ?? body?.id}`;
    if (action === "insert") {
      if (fake.stored.has(key)) return send(res, 409, { error: { code: 409, message: "exists" } });
      fake.stored.set(key, body);
      return send(res, 200, body);
    }
    const existing = fake.stored.get(key);
    if (!existing) return send(res, 404, { error: { code: 404, message: "not found" } });
    if (action === "patch") {
      fake.stored.set(key, { ...existing, ...body });
      return send(res, 200, fake.stored.get(key));
    }
    if (action === "addMessage") {
      existing.messages = [...((existing.messages as unknown[]) ?? []), body.message];
      return send(res, 200, { resource: existing });
    }
    return send(res, 200, existing);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.tokenUrl = `${fake.url}/token`;
  fake.metadataHost = fake.url.replace("http://", "");
  fake.serviceAccount = {
    type: "service_account",
    client_email: "wallet@test-project.iam.gserviceaccount.com",
    private_key: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    private_key_id: "key-1",
    token_uri: "https://oauth2.googleapis.com/token",
  };
  fake.walletCalls = () => fake.calls;
  fake.close = () => new Promise((r) => server.close(() => r()));
  return fake;
}
