// The Docker engine and compose command the container test uses. With no engine answering, or without the base
// images the Dockerfile and compose file name, DOCKER_STAND_IN_SCRIPT (when set) is run: on a machine without a
// container registry it installs and starts an engine and builds local stand-ins for the base images. A daemon that
// script started is stopped again when the test ends.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const BASE_IMAGES = ["node:24-bookworm-slim", "postgres:17"];

export interface Run {
  stdout: string;
  stderr: string;
}

/** Runs a command (with `input` on its standard input); a failure throws with everything it printed. */
export function run(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; input?: string | Buffer } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 600_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
      if (code === 0) resolve(result);
      else {
        const why = signal ?? code;
        reject(new Error(`${command} ${args.join(" ")} failed (${why}):\n${result.stdout}\n${result.stderr}`));
      }
    });
    child.stdin.end(options.input ?? "");
  });
}

async function succeeds(command: string, args: string[]): Promise<boolean> {
  return run(command, args, { timeoutMs: 30_000 }).then(
    () => true,
    () => false,
  );
}

async function daemonPids(): Promise<string[]> {
  const found = await run("pgrep", ["-x", "dockerd"]).catch(() => ({ stdout: "" }));
  return found.stdout.split("\n").filter(Boolean);
}

export interface Engine {
  /** `docker compose` (v2) or `docker-compose` (v1, 1.28 or later for profiles). */
  compose: string[];
  /** The build network compose needs: "host" when the engine has no default bridge. */
  buildNetwork: "default" | "host";
  /** Stops the daemon if this test started it. */
  release(): Promise<void>;
}

/** Where this workplace keeps the stand-in script (beside the checkout, or at its usual place), as .ci/run looks. */
const STAND_IN_SCRIPTS = [
  join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "shared", "docker", "stand-in-images.sh"),
  "/work/shared/docker/stand-in-images.sh",
];

export async function useEngine(): Promise<Engine> {
  const before = await daemonPids();
  const haveImages = async () => {
    for (const image of BASE_IMAGES) if (!(await succeeds("docker", ["image", "inspect", image]))) return false;
    return true;
  };
  if (!(await succeeds("docker", ["info"])) || !(await haveImages())) {
    const script = process.env.DOCKER_STAND_IN_SCRIPT ?? STAND_IN_SCRIPTS.find((path) => existsSync(path));
    if (script && existsSync(script)) {
      await run("bash", [script], { timeoutMs: 900_000 });
    } else if (!(await succeeds("docker", ["info"]))) {
      throw new Error(
        "no Docker engine answers `docker info`, and no stand-in script was found: start one (or set DOCKER_STAND_IN_SCRIPT)",
      );
    }
  }
  const started = (await daemonPids()).filter((pid) => !before.includes(pid));
  const compose = (await succeeds("docker", ["compose", "version"])) ? ["docker", "compose"] : ["docker-compose"];
  const buildNetwork = (await succeeds("docker", ["network", "inspect", "bridge"])) ? "default" : "host";
  return {
    compose,
    buildNetwork,
    async release() {
      for (const pid of started) process.kill(Number(pid), "SIGTERM");
      const deadline = Date.now() + 60_000;
      while (started.some((pid) => existsSync(`/proc/${pid}`)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}
