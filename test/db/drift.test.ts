// Every model and field of prisma/schema.prisma exists, with the same nullability, in the migrated database.
import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../helpers/database.js";

interface ModelSpec {
  table: string;
  columns: { name: string; nullable: boolean }[];
}

const SCALARS = new Set(["String", "Int", "BigInt", "Float", "Decimal", "Boolean", "DateTime", "Json", "Bytes"]);

function parseSchema(schema: string): Map<string, ModelSpec> {
  const models = new Map<string, ModelSpec>();
  const enums = new Set([...schema.matchAll(/^enum\s+(\w+)/gm)].map((m) => m[1]!));
  for (const match of schema.matchAll(/^model\s+(\w+)\s*\{([\s\S]*?)^\}/gm)) {
    const [, name, body] = match;
    const table = /@@map\("([^"]+)"\)/.exec(body!)?.[1] ?? name!;
    const columns: ModelSpec["columns"] = [];
    for (const raw of body!.split("\n")) {
      const line = raw.replace(/\/\/.*$/, "").trim();
      const field = /^(\w+)\s+(\w+)(\?|\[\])?(.*)$/.exec(line);
      if (!field || line.startsWith("@@")) continue;
      const [, fieldName, type, modifier, rest] = field;
      if (!SCALARS.has(type!) && !enums.has(type!)) continue; // relation field: no column
      if (modifier === "[]" && !SCALARS.has(type!)) continue;
      const column = /@map\("([^"]+)"\)/.exec(rest!)?.[1] ?? fieldName!;
      columns.push({ name: column, nullable: modifier === "?" });
    }
    models.set(name!, { table, columns });
  }
  return models;
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db.drop());

it("finds every model's table and every field's column, with matching nullability", async () => {
  const schema = await readFile(new URL("../../prisma/schema.prisma", import.meta.url), "utf8");
  const models = parseSchema(schema);
  expect(models.size).toBeGreaterThanOrEqual(5);
  const { rows } = await db.query<{ table_name: string; column_name: string; is_nullable: string }>(
    `SELECT table_name, column_name, is_nullable FROM information_schema.columns WHERE table_schema = 'public'`,
  );
  const actual = new Map(rows.map((r) => [`${r.table_name}.${r.column_name}`, r.is_nullable === "YES"]));
  const problems: string[] = [];
  for (const [model, spec] of models) {
    for (const column of spec.columns) {
      const nullable = actual.get(`${spec.table}.${column.name}`);
      if (nullable === undefined) problems.push(`${model}: column ${spec.table}.${column.name} is missing`);
      else if (nullable !== column.nullable)
        problems.push(`${model}: ${spec.table}.${column.name} nullable=${nullable}, schema says ${column.nullable}`);
    }
  }
  expect(problems).toEqual([]);
});
