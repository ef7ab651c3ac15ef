// JSON lines for the process entry points (server, worker), before and beside Fastify's logger.
const line = (level: string, msg: string) => JSON.stringify({ level, time: Date.now(), msg });

export const processLog = {
  info: (msg: string) => console.log(line("info", msg)),
  warn: (msg: string) => console.warn(line("warn", msg)),
  error: (msg: string) => console.error(line("error", msg)),
};
