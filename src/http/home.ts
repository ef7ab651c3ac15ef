// GET /: a small page saying what answers here, with links to the API documentation and the health check.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The server's version, from the nearest package.json above this file (src/ under tsx, dist/src/ when built). */
function readVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, "package.json");
    if (existsSync(file)) return String(JSON.parse(readFileSync(file, "utf8")).version ?? "unknown");
  }
  return "unknown";
}

export const version = readVersion();

export function homePage(serverVersion: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wallet pass server</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f3f3f3;padding:0 .25rem}</style></head>
<body><h1>Wallet pass server</h1>
<p>Version ${serverVersion}. An Airship Wallet API compatible server for Apple Wallet and Google Wallet passes.</p>
<ul>
<li><a href="/docs">API documentation</a> (Swagger UI) and the <a href="/docs/json">OpenAPI document</a></li>
<li><a href="/health">Health</a></li>
<li>API base: <code>/v1</code> (Airship Wallet), <code>/v0</code> (Badge), <code>/token</code> (OAuth)</li>
</ul></body></html>
`;
}
