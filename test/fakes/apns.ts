// A fake APNs: a real HTTP/2 TLS server on loopback (certificate made by openssl for 127.0.0.1) that records each
// push — device token, headers, body, the client certificate's subject — and answers as a test scripts it.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TLSSocket } from "node:tls";

export interface RecordedPush {
  token: string;
  topic: string | undefined;
  pushType: string | undefined;
  authorization: string | undefined;
  body: string;
  clientSubject: string | undefined;
  at: number;
}

export type Answer = { status: number; reason?: string; delayMs?: number };

export interface FakeApns {
  host: string;
  /** The server's certificate (PEM): trust it as the CA. */
  ca: string;
  pushes: RecordedPush[];
  /** Every push received (also when `record` is off). */
  received: number;
  /** Keep each push in `pushes` (default true; a benchmark of a million pushes only counts). */
  record: boolean;
  /** How to answer a push (default 200). */
  respond: (push: RecordedPush) => Answer;
  waitFor(count: number, timeoutMs?: number): Promise<RecordedPush[]>;
  close(): Promise<void>;
}

export async function startFakeApns(): Promise<FakeApns> {
  const dir = mkdtempSync(join(tmpdir(), "apns-"));
  execFileSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      join(dir, "key.pem"),
      "-out",
      join(dir, "cert.pem"),
    ],
    { stdio: "ignore" },
  );
  const cert = readFileSync(join(dir, "cert.pem"), "utf8");
  const fake: FakeApns = {
    host: "",
    ca: cert,
    pushes: [],
    received: 0,
    record: true,
    respond: () => ({ status: 200 }),
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (fake.pushes.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      return fake.pushes;
    },
    close: async () => undefined,
  };
  const server = http2.createSecureServer({
    key: readFileSync(join(dir, "key.pem")),
    cert,
    requestCert: true,
    rejectUnauthorized: false, // the pass certificate is not issued by this server's CA; it is recorded instead
  });
  server.on("stream", (stream, headers) => {
    stream.on("error", () => undefined);
    let body = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      body += chunk;
    });
    stream.on("end", () => {
      const socket = stream.session?.socket as TLSSocket | undefined;
      const peer = socket?.getPeerCertificate();
      const path = String(headers[":path"] ?? "");
      const push: RecordedPush = {
        token: path.replace(/^\/3\/device\//, ""),
        topic: headers["apns-topic"] as string | undefined,
        pushType: headers["apns-push-type"] as string | undefined,
        authorization: headers.authorization,
        body,
        clientSubject: peer && Object.keys(peer).length ? JSON.stringify(peer.subject) : undefined,
        at: Date.now(),
      };
      fake.received++;
      if (fake.record) fake.pushes.push(push);
      const answer = fake.respond(push);
      const send = () => {
        if (stream.destroyed) return;
        stream.respond({ ":status": answer.status, "apns-id": "00000000-0000-0000-0000-000000000000" });
        stream.end(answer.reason ? JSON.stringify({ reason: answer.reason }) : undefined);
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  fake.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.close = () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      for (const session of sessions) session.destroy();
    });
  const sessions = new Set<http2.ServerHttp2Session>();
  // A client that dies (a test SIGKILLs a worker) resets its connections: that is not the fake's failure.
  server.on("secureConnection", (socket) => socket.on("error", () => undefined));
  server.on("session", (session) => {
    session.on("error", () => undefined);
    sessions.add(session);
    session.on("close", () => sessions.delete(session));
  });
  return fake;
}
