// docs/errors.md, rendered from the error catalog (src/errors.ts). `npm run docs:errors` rewrites the page;
// test/errors.test.ts only compares it with this rendering, so a stale page fails the tests.
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ERRORS } from "../src/errors.js";

export const ERRORS_PAGE = new URL("../docs/errors.md", import.meta.url);

export function renderErrorsPage(): string {
  const rows = Object.entries(ERRORS).map(([code, { status, when }]) => `| ${status} | \`${code}\` | ${when} |`);
  return [
    "# Errors",
    "",
    'Every error answer is JSON: `{"error": "<message>", "code": "<CODE>", "details": …, "requestId": "…"}`.',
    "`code` is stable across releases; `error` is for people; `details` (when present) lists each problem;",
    "`requestId` finds the request in the server's log. Generated from `src/errors.ts` by `npm run docs:errors`.",
    "",
    "| status | code | when |",
    "| --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(ERRORS_PAGE, renderErrorsPage());
  console.log(`wrote ${fileURLToPath(ERRORS_PAGE)}`);
}
