// The edge: text is checked once, where it enters, for every route. Postgres cannot store NUL in text, and a
// lone UTF-16 surrogate cannot be encoded as UTF-8: both are refused here (400 naming where), as are JSON
// documents nested deeper than any real one and object keys longer than any real name. Routes' own schemas then
// bound lengths and counts.
import type { FastifyInstance } from "fastify";
import { malformed } from "../errors.js";

/** Deepest JSON nesting accepted (arrays and objects). */
export const MAX_JSON_DEPTH = 32;
/** Longest object key accepted anywhere (header, field and setting names are far shorter). */
export const MAX_KEY_LENGTH = 256;
/** Values visited per request before giving up as too large a document. */
const MAX_VALUES = 200_000;

/** Refuses JSON text nested deeper than MAX_JSON_DEPTH, before it is parsed. */
export function checkJsonDepth(text: string, where: string): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) throw malformed(`${where} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be accepted, if it cannot. */
function textProblem(value: string): string | undefined {
  if (value.includes("\u0000")) return "contains a NUL character";
  if (LONE_SURROGATE.test(value)) return "contains an unpaired UTF-16 surrogate";
  return undefined;
}

/** Throws a 400 naming the first string (or key) in `value` that cannot be stored as text. */
export function checkText(value: unknown, where: string): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: "", depth: 0 }];
  let visited = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    if (++visited > MAX_VALUES) throw malformed(`${where} holds too many values`);
    const at = item.path === "" ? where : `${where} "${item.path}"`;
    if (typeof item.value === "string") {
      const problem = textProblem(item.value);
      if (problem) throw malformed(`${at} ${problem}`);
      continue;
    }
    if (typeof item.value !== "object" || item.value === null) continue;
    if (item.depth >= MAX_JSON_DEPTH) throw malformed(`${where} is nested deeper than ${MAX_JSON_DEPTH} levels`);
    for (const [key, child] of Object.entries(item.value)) {
      const path = item.path === "" ? key : `${item.path}.${key}`;
      if (!Array.isArray(item.value)) {
        const problem = textProblem(key) ?? (key.length > MAX_KEY_LENGTH ? `is longer than ${MAX_KEY_LENGTH}` : "");
        if (problem) throw malformed(`${where} key "${printable(key)}" ${problem}`);
      }
      stack.push({ value: child, path: printable(path), depth: item.depth + 1 });
    }
  }
}

/** A name safe to echo in an error (no NUL or lone surrogates, bounded). */
function printable(text: string): string {
  return text
    .slice(0, 100)
    .replaceAll("\u0000", "\\u0000")
    .replace(/[\uD800-\uDFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Checks the params, query and body of every request before any route sees them. */
export function installEdgeChecks(app: FastifyInstance): void {
  app.addHook("preValidation", async (request) => {
    checkText(request.params, "path parameter");
    checkText(request.query, "query parameter");
    if (request.body !== undefined) checkText(request.body, "request body");
  });
}
