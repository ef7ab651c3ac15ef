// Validates what we send to Google against Google's own discovery document of the Wallet REST API
// (a copy in test/fixtures/google/walletobjects-v1-discovery.json): every key must exist in the schema, every value
// must have the schema's type (and be one of its enum values), and the fields Google documents as Required must
// be present.
import { readFileSync } from "node:fs";

interface SchemaProperty {
  type?: string;
  $ref?: string;
  items?: SchemaProperty;
  enum?: string[];
  format?: string;
  description?: string;
  additionalProperties?: SchemaProperty;
  properties?: Record<string, SchemaProperty>;
}

const discovery = JSON.parse(
  readFileSync(new URL("../fixtures/google/walletobjects-v1-discovery.json", import.meta.url), "utf8"),
) as { schemas: Record<string, SchemaProperty & { properties: Record<string, SchemaProperty> }> };

function check(value: unknown, schema: SchemaProperty, path: string, problems: string[]): void {
  if (schema.$ref) {
    const target = discovery.schemas[schema.$ref];
    if (!target) {
      problems.push(`${path}: unknown schema ${schema.$ref}`);
      return;
    }
    checkObject(value, schema.$ref, path, problems);
    return;
  }
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") problems.push(`${path}: expected a string`);
      else if (schema.enum && !schema.enum.includes(value))
        problems.push(`${path}: "${value}" is not one of ${schema.enum.join(", ")}`);
      else if ((schema.format === "int64" || schema.format === "uint64") && !/^-?\d+$/.test(value))
        problems.push(`${path}: expected an int64 string`);
      return;
    case "integer":
      if (!Number.isInteger(value)) problems.push(`${path}: expected an integer`);
      return;
    case "number":
      if (typeof value !== "number") problems.push(`${path}: expected a number`);
      return;
    case "boolean":
      if (typeof value !== "boolean") problems.push(`${path}: expected a boolean`);
      return;
    case "array":
      if (!Array.isArray(value)) problems.push(`${path}: expected an array`);
      else {
        for (const [i, item] of value.entries()) check(item, schema.items!, `${path}[${i}]`, problems);
      }
      return;
    case "object":
      if (typeof value !== "object" || value === null) problems.push(`${path}: expected an object`);
      return;
    default:
      problems.push(`${path}: schema without a type`);
  }
}

function checkObject(value: unknown, schemaName: string, path: string, problems: string[]): void {
  const schema = discovery.schemas[schemaName]!;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${path}: expected a ${schemaName} object`);
    return;
  }
  for (const [key, item] of Object.entries(value)) {
    const property = schema.properties[key];
    if (!property) problems.push(`${path}.${key}: not a field of ${schemaName}`);
    else check(item, property, `${path}.${key}`, problems);
  }
}

/** Problems of `value` as an instance of the named schema (e.g. "LoyaltyClass"); [] when valid. */
export function discoveryProblems(
  schemaName: string,
  value: unknown,
  options: { requireRequired?: boolean } = {},
): string[] {
  const problems: string[] = [];
  if (!discovery.schemas[schemaName]) return [`no schema ${schemaName}`];
  checkObject(value, schemaName, schemaName, problems);
  if (options.requireRequired !== false) {
    for (const [key, property] of Object.entries(discovery.schemas[schemaName]!.properties)) {
      if (
        (property.description ?? "").startsWith("Required.") &&
        (value as Record<string, unknown>)[key] === undefined
      ) {
        problems.push(`${schemaName}.${key}: required`);
      }
    }
  }
  return problems;
}

/** The schema a resource path's body has: "loyaltyClass" → "LoyaltyClass". */
export const schemaOfResource = (resource: string) => resource.charAt(0).toUpperCase() + resource.slice(1);
