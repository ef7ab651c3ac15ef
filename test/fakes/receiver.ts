// A CRM's or integration's endpoint on loopback: records every POST (path, headers, raw and parsed body) and
// answers what `answers` decides for each path (default 200) — the receiver of callbacks and webhooks.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

export class Receiver {
  readonly received: Received[] = [];
  /** The status (and headers) to answer a POST to `path`, the `count`th there. */
  answers: (path: string, count: number) => number | { status: number; headers: Record<string, string> } = () => 200;
  private server?: Server;
  url = "";

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const path = req.url ?? "";
        const raw = Buffer.concat(chunks).toString();
        this.received.push({ path, headers: req.headers, raw, body: JSON.parse(raw || "{}") });
        const count = this.received.filter((r) => r.path === path).length;
        const answer = this.answers(path, count);
        if (typeof answer === "number") res.statusCode = answer;
        else {
          res.statusCode = answer.status;
          for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
        }
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server?.closeAllConnections();
      this.server?.close(() => resolve());
    });
  }
}
