// The shape of src/, measured from the code: the import graph between files and between top-level folders, its
// cycles, and the house rules' counts (SQL outside stores, the HTTP layer imported from outside it, vendor branches,
// wall-clock reads, long files). `npm run house` prints it; test/architecture.test.ts holds the rules and compares
// docs/architecture.md's table of who imports whom with the real graph.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const SRC = join(ROOT, "src");

export interface SourceFile {
  /** Path under src/, e.g. "core/passes/service.ts". */
  readonly path: string;
  readonly text: string;
  readonly lines: number;
  /** Files under src/ it imports (value or type imports, and re-exports). */
  readonly imports: string[];
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "generated" ? [] : walk(path);
    return name.endsWith(".ts") ? [path] : [];
  });
}

export function readSources(): SourceFile[] {
  const files = walk(SRC);
  const known = new Set(files.map((f) => relative(SRC, f)));
  return files.map((file) => {
    const text = readFileSync(file, "utf8");
    const imports: string[] = [];
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)) {
      const target = relative(SRC, join(dirname(file), match[1]!.replace(/\.js$/, ".ts")));
      if (known.has(target)) imports.push(target);
    }
    return { path: relative(SRC, file), text, lines: text.split("\n").length, imports: [...new Set(imports)] };
  });
}

/** A file's room: its top-level folder, or the file's own name for files directly in src/. */
export function folderOf(path: string): string {
  const [first, ...rest] = path.split("/");
  return rest.length > 0 ? `${first}/` : first!;
}

/** Strongly connected components with more than one member (Tarjan). */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const onStack = new Set<string>();
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const found: string[][] = [];
  const visit = (v: string) => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return found;
}

export function fileGraph(sources: SourceFile[]): Map<string, Set<string>> {
  return new Map(sources.map((s) => [s.path, new Set(s.imports)]));
}

/** Folder → the folders it imports (itself excluded). */
export function folderGraph(sources: SourceFile[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const source of sources) {
    const from = folderOf(source.path);
    const targets = graph.get(from) ?? new Set<string>();
    graph.set(from, targets);
    for (const target of source.imports) if (folderOf(target) !== from) targets.add(folderOf(target));
  }
  return graph;
}

const SQL = /\b(SELECT\s[\s\S]{0,400}?\sFROM\s|INSERT\s+INTO\s|UPDATE\s+"?\w+"?\s+SET\s|DELETE\s+FROM\s)/;
/** Where SQL may be written: db/ and store or repository modules. */
export const isStore = (path: string) =>
  path.startsWith("db/") || /(^|\/)(repository|store|[\w-]+-(store|repository))\.ts$/.test(path);
const VENDOR_BRANCH = /(===|!==)\s*"(Apple|Google)"|"(Apple|Google)"\s*(===|!==)|case\s+"(Apple|Google)"/;
const CLOCK_READ = /\bDate\.now\(\)|new Date\(\)/;

export interface House {
  files: number;
  lines: number;
  fileCycles: string[][];
  folderCycles: string[][];
  sqlOutsideStores: string[];
  httpImportedFrom: string[];
  vendorBranches: string[];
  clockReads: string[];
  longFiles: string[];
  folders: string[];
}

export function measure(sources = readSources()): House {
  const httpLayer = (path: string) => path.startsWith("http/");
  return {
    files: sources.length,
    lines: sources.reduce((n, s) => n + s.lines, 0),
    fileCycles: cycles(fileGraph(sources)),
    folderCycles: cycles(folderGraph(sources)),
    sqlOutsideStores: sources.filter((s) => !isStore(s.path) && SQL.test(s.text)).map((s) => s.path),
    httpImportedFrom: sources
      .filter((s) => !httpLayer(s.path) && s.imports.some((i) => i.startsWith("http/")))
      .map((s) => s.path),
    vendorBranches: sources.filter((s) => VENDOR_BRANCH.test(s.text)).map((s) => s.path),
    clockReads: sources.filter((s) => s.path !== "clock.ts" && CLOCK_READ.test(s.text)).map((s) => s.path),
    longFiles: sources.filter((s) => s.lines > 500).map((s) => `${s.path} (${s.lines})`),
    folders: [...new Set(sources.map((s) => folderOf(s.path)))].filter((f) => f.endsWith("/")).sort(),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const house = measure();
  const list = (items: string[]) => (items.length === 0 ? " none" : `\n  ${items.join("\n  ")}`);
  console.log(`${house.files} files, ${house.lines} lines in src/`);
  console.log(`file cycles (${house.fileCycles.length}):${list(house.fileCycles.map((c) => c.join(" ↔ ")))}`);
  console.log(`folder cycles (${house.folderCycles.length}):${list(house.folderCycles.map((c) => c.join(" ↔ ")))}`);
  console.log(`SQL outside db/ and stores (${house.sqlOutsideStores.length}):${list(house.sqlOutsideStores)}`);
  console.log(
    `http/ imported from outside the HTTP layer (${house.httpImportedFrom.length}):${list(house.httpImportedFrom)}`,
  );
  console.log(`vendor branches (${house.vendorBranches.length}):${list(house.vendorBranches)}`);
  console.log(`wall-clock reads outside clock.ts (${house.clockReads.length}):${list(house.clockReads)}`);
  console.log(`files over 500 lines (${house.longFiles.length}):${list(house.longFiles)}`);
}
