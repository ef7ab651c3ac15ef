// Trims a production node_modules for the Docker image: what only editors and debuggers read (type declarations,
// source maps, READMEs), bwip-js's builds for browsers and React Native, and the Inter faces previews do not load
// (previews/raster.ts names its four). Usage, after `npm ci --omit=dev --omit=optional --omit=peer`:
// node scripts/slim-node-modules.mjs <node_modules>
import { readdirSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";

const [modules] = process.argv.slice(2);
if (!modules) {
  console.error("usage: node scripts/slim-node-modules.mjs <node_modules>");
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

// Builds and faces no running program loads.
const loaded = {
  // The Node build as ESM and CommonJS; the ESM one imports the encoder from bwipp.mjs.
  "bwip-js/dist": (name) => name.startsWith("bwip-js-node.") || name === "bwipp.mjs",
  "inter-font": (name) => ["ttf", "package.json", "OFL.txt", "LICENSE.md"].includes(name),
  "inter-font/ttf": (name) =>
    ["Inter-Regular.ttf", "Inter-Medium.ttf", "Inter-SemiBold.ttf", "Inter-Bold.ttf"].includes(name),
};
for (const [dir, keep] of Object.entries(loaded)) {
  const path = join(modules, dir);
  let names;
  try {
    names = readdirSync(path);
  } catch (error) {
    if (error.code === "ENOENT") continue;
    throw error;
  }
  for (const name of names) if (!keep(name)) remove(join(path, name));
}

// Files no running program reads.
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

console.log(`slim-node-modules: removed ${(removed / 1e6).toFixed(1)} MB`);
