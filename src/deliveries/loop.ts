// The worker's outbound round: queue the callbacks of newly committed pass events, then attempt what is due.
// Runs again at once while there is work, else after a short pause; one round at a time per process.
/** One round; returns how much work it found (0: idle). */
export type OutboundRound = () => Promise<number>;

export function startOutboundLoop(
  round: OutboundRound,
  intervalMs: number,
  log?: { warn(msg: string): void },
): { stop(): Promise<void> } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = (async () => {
      let busy = 0;
      try {
        busy = await round();
      } catch (error) {
        log?.warn(`outbound deliveries: ${(error as Error).message}`);
      }
      if (!stopped) timer = setTimeout(tick, busy > 0 ? 0 : intervalMs);
    })();
  };
  timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
