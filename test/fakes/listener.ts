// A plain HTTP listener on loopback that records every request it gets: the target of SSRF attempts (it must see
// none), and a scriptable origin for the outbound guard's redirects, sizes and timeouts.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Listener {
  port: number;
  url: string;
  requests: { method: string; url: string; host: string | undefined }[];
  /** Answers a request (default: 200 with a small body). */
  handle: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

export async function startListener(host = "127.0.0.1"): Promise<Listener> {
  const listener = {
    requests: [],
    handle: (_req: IncomingMessage, res: ServerResponse) => res.end("hello"),
  } as unknown as Listener;
  const server = createServer((req, res) => {
    listener.requests.push({ method: req.method ?? "", url: req.url ?? "", host: req.headers.host });
    listener.handle(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  listener.port = (server.address() as AddressInfo).port;
  listener.url = `http://${host}:${listener.port}`;
  listener.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return listener;
}
