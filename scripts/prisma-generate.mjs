// Runs `prisma generate` without network access. Generation only needs Prisma's bundled wasm; the schema-engine
// binary (a download the offline build cannot reach) is never executed, so a placeholder path satisfies the CLI.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
let cli;
try {
  cli = require.resolve("prisma/build/index.js");
} catch {
  // Production installs (npm ci --omit=dev) carry the generated client in dist/ already.
  console.log("prisma CLI not installed; skipping client generation");
  process.exit(0);
}
const dir = join(tmpdir(), "wallet-prisma-placeholder");
if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
const placeholder = join(dir, "schema-engine");
writeFileSync(placeholder, "#!/bin/sh\necho 'schema engine not available offline' >&2\nexit 1\n", { mode: 0o755 });

const result = spawnSync(process.execPath, [cli, "generate", "--schema", "prisma/schema.prisma"], {
  stdio: "inherit",
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? placeholder,
    PRISMA_ENGINES_CHECKSUM_IGNORE_MISSING: "1",
    PRISMA_HIDE_UPDATE_MESSAGE: "1",
    CHECKPOINT_DISABLE: "1",
  },
});
process.exit(result.status ?? 1);
