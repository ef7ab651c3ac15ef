// JSON lines for the process entry points (server, worker, CLI progress), before and beside Fastify's logger, in
// the same shape as its lines: {"level":"info","time":…,"pid":…,"hostname":…,"msg":…}, filtered by LOG_LEVEL.
import { hostname } from "node:os";

const LEVELS = ["trace", "debug", "info", "warn", "error", "fatal"];
const threshold = (() => {
  const configured = process.env.LOG_LEVEL?.trim();
  if (configured === "silent") return Number.POSITIVE_INFINITY;
  const index = LEVELS.indexOf(configured ?? "info");
  return index < 0 ? LEVELS.indexOf("info") : index;
})();
const host = hostname();

const line = (level: string, msg: string) =>
  JSON.stringify({ level, time: Date.now(), pid: process.pid, hostname: host, msg });

const write = (level: string, msg: string, out: (text: string) => void) => {
  if (LEVELS.indexOf(level) >= threshold) out(line(level, msg));
};

export const processLog = {
  info: (msg: string) => write("info", msg, console.log),
  warn: (msg: string) => write("warn", msg, console.warn),
  error: (msg: string) => write("error", msg, console.error),
};
