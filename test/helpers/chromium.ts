// The browser the browser tests drive: CHROMIUM_PATH, else a Chromium or Chrome on the PATH, else Debian's
// installed by scripts/ensure-chromium.sh where that is possible (root with apt, as in CI). A machine without one
// skips those tests with a note — but CI never skips them.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { type Browser, chromium } from "playwright-core";

const root = new URL("../../", import.meta.url).pathname;

function findChromium(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const names = ["chromium", "chromium-browser", "google-chrome-stable", "google-chrome"];
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    for (const name of names) if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The browser's path, or undefined (with a warning naming `test`) where none can be had outside CI. */
export function chromiumPath(test: string): string | undefined {
  let path = findChromium();
  if (!path) {
    try {
      execFileSync(join(root, "scripts/ensure-chromium.sh"), { stdio: "inherit" });
    } catch {}
    path = findChromium();
  }
  if (!path && process.env.CI)
    throw new Error(`CI must run the browser test (${test}): no Chromium found or installable`);
  if (!path) console.warn(`${test} skipped: install Chromium (apt-get install chromium) or set CHROMIUM_PATH`);
  return path;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}
