/**
 * How long a job's synchronous tensor work held the event loop: the longest gap between two
 * turns of a timer. Logged with every run, because it is what a processor sharing its event
 * loop with BullMQ's lock renewal could not afford: past the lock duration the job would be
 * taken for stalled and computed twice. The sandboxed processor can, and this shows it.
 */
const TICK_MS = 50;

export interface BlockWatch {
  /** Stops watching; the longest block seen, in whole milliseconds. */
  stop(): number;
}

export function watchEventLoop(): BlockWatch {
  let lastTurn = performance.now();
  let longestMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestMs = Math.max(longestMs, now - lastTurn - TICK_MS);
    lastTurn = now;
  }, TICK_MS);
  timer.unref();

  return {
    stop() {
      clearInterval(timer);
      // A block still going on when the job ends has had no timer turn to be seen by.
      const pendingMs = performance.now() - lastTurn - TICK_MS;
      return Math.max(0, Math.round(Math.max(longestMs, pendingMs)));
    },
  };
}
