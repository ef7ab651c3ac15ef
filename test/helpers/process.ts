// A child process whose output (stdout and stderr together) is collected, and whose exit code can be awaited.
import { type ChildProcess, type SpawnOptions, spawn } from "node:child_process";

export interface Collected {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

export function spawnCollecting(command: string, args: string[], options: SpawnOptions): Collected {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}
