// Trims a production node_modules for the Docker image: what only editors and debuggers read (type declarations,
// source maps, READMEs), and Prisma's query compilers for the databases and variants this server does not use
// (@prisma/client ships ten of them, 68 MB; the generated client loads one). Usage, after
// `npm ci --omit=dev --omit=optional --omit=peer`: node scripts/slim-node-modules.mjs <node_modules> <generated client dir>
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const [modules, generated] = process.argv.slice(2);
if (!modules || !generated) {
  console.error("usage: node scripts/slim-node-modules.mjs <node_modules> <generated Prisma client directory>");
  process.exit(2);
}

function walk(dir, visit) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, visit);
    else visit(path, entry.name);
  }
}

let removed = 0;
function remove(path) {
  removed += statSync(path).size;
  rmSync(path, { recursive: true, force: true });
}

// 1. The runtime files the generated client imports: "@prisma/client/runtime/<file>".
const wanted = new Set(["client"]);
walk(generated, (path, name) => {
  if (!/\.(m?js|ts)$/.test(name)) return;
  for (const match of readFileSync(path, "utf8").matchAll(/@prisma\/client\/runtime\/([\w.-]+)/g)) wanted.add(match[1]);
});
const runtime = join(modules, "@prisma", "client", "runtime");
if (wanted.size <= 1) throw new Error(`no query compiler import found under ${generated}: is it the generated client?`);
const present = new Set(readdirSync(runtime));
// A name without extension is an export subpath ("runtime/client"): its CommonJS and ESM files.
const kept = new Set([...wanted].flatMap((name) => (present.has(name) ? [name] : [`${name}.js`, `${name}.mjs`])));
const missing = [...kept].filter((name) => !present.has(name));
if (missing.length > 0) throw new Error(`the generated client imports runtime files the package lacks: ${missing}`);
for (const name of present) {
  if (!kept.has(name)) remove(join(runtime, name));
}

// 2. Files no running program reads.
const unread = /(\.d\.[cm]?ts|\.d\.ts\.map|\.map|\.md|\.markdown)$/i;
walk(modules, (path, name) => {
  if (unread.test(name)) remove(path);
});
const types = join(modules, "@types"); // declarations only
try {
  walk(types, remove);
  rmSync(types, { recursive: true });
} catch (error) {
  if (error.code !== "ENOENT") throw error;
}

console.log(
  `slim-node-modules: removed ${(removed / 1e6).toFixed(1)} MB; Prisma runtime kept: ${[...kept].join(", ")}`,
);
