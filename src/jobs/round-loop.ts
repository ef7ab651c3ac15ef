// A worker's periodic round (outbound deliveries, due schedules): runs again at once while it finds work, else
// after a short pause; one round at a time per process, a failed round logged and retried after the pause.
/** One round; returns how much work it found (0: idle). */
export type Round = () => Promise<number>;

export function startRoundLoop(
  name: string,
  round: Round,
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
        log?.warn(`${name}: ${(error as Error).message}`);
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
