// The house rules, measured from the code (scripts/house.ts): no import cycles between files or between rooms
// (top-level folders and the files directly in src/), docs/architecture.md's table naming every room with exactly
// the rooms it imports, the HTTP layer imported only from the server's entry point, SQL only in stores, the wall
// clock read only through clock.ts, and no long files.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { cycles, folderGraph, measure, ROOT, readSources } from "../scripts/house.js";

const sources = readSources();
const house = measure(sources);

/** The table of docs/architecture.md: room → the rooms its "imports" cell names. */
function documentedGraph(): Map<string, Set<string>> {
  const page = readFileSync(join(ROOT, "docs", "architecture.md"), "utf8");
  const table = new Map<string, Set<string>>();
  for (const line of page.split("\n")) {
    const cells = line.split("|").map((c) => c.trim());
    const room = /^`([\w.-]+\/?)`$/.exec(cells[1] ?? "")?.[1];
    if (!room || cells.length < 5) continue;
    const imports = [...(cells[3] ?? "").matchAll(/`([\w.-]+\/?)`/g)].map((m) => m[1]!);
    table.set(room, new Set(imports));
  }
  return table;
}

it("has no import cycles between files, nor between rooms", () => {
  expect(house.fileCycles).toEqual([]);
  expect(house.folderCycles).toEqual([]);
});

it("finds a cycle when there is one (the check is real)", () => {
  const graph = folderGraph(sources);
  graph.get("db/")!.add("core/");
  expect(cycles(graph).length).toBeGreaterThan(0);
});

it("docs/architecture.md's table names every room, with exactly the rooms it imports", () => {
  const documented = documentedGraph();
  const real = folderGraph(sources);
  expect([...documented.keys()].sort()).toEqual([...real.keys()].sort());
  for (const [room, imports] of real) {
    expect([...(documented.get(room) ?? [])].sort(), room).toEqual([...imports].sort());
  }
});

it("imports the HTTP layer only from itself and the HTTP server's entry point", () => {
  expect(house.httpImportedFrom).toEqual(["server.ts"]);
});

it("writes SQL only in db/ and in store or repository modules", () => {
  expect(house.sqlOutsideStores).toEqual([]);
});

it("reads the wall clock only in clock.ts and the process log's timestamps", () => {
  expect(house.clockReads).toEqual(["process-log.ts"]);
});

it("has a test folder for every source folder", () => {
  const missing = house.folders.filter((folder) => !existsSync(join(ROOT, "test", folder)));
  expect(missing).toEqual([]);
});

it("keeps every source file within 500 lines", () => {
  expect(house.longFiles).toEqual([]);
});

it("tells Apple and Google apart only by their traits and adapters (domain/vendors.ts), never by comparing names", () => {
  expect(house.vendorBranches).toEqual([]);
});
