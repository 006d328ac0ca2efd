/**
 * `--follow` where no progress bars are drawn (not a terminal, or --json): poll the record
 * until it settles, writing a line to stderr whenever its state changes. The record alone
 * says when a sweep or run is over, since a `failed` event may be an attempt to be retried.
 */
import type { MetaoptClient, RunView, SweepView } from './client.js';

const POLL_INTERVAL_MS = 2000;
const SETTLED_SWEEP = new Set(['succeeded', 'failed']);
const SETTLED_RUN = new Set(['succeeded', 'diverged', 'failed', 'cancelled']);

export async function waitForSweep(
  client: MetaoptClient,
  sweepId: string,
  onChange: (line: string) => void,
): Promise<SweepView> {
  return poll(
    () => client.sweep(sweepId, true),
    (sweep) =>
      `${sweep.status}: ${Object.entries(sweep.counts)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ')}`,
    (sweep) => SETTLED_SWEEP.has(sweep.status),
    onChange,
  );
}

/** A run settles as a sweep does: `diverged` is a result, `failed` and `cancelled` are not. */
export async function waitForRun(
  client: MetaoptClient,
  runId: string,
  onChange: (line: string) => void,
): Promise<RunView> {
  return poll(
    () => client.run(runId),
    (run) =>
      run.progress?.fraction === undefined
        ? run.status
        : `${run.status} ${Math.round(run.progress.fraction * 100)}%`,
    (run) => SETTLED_RUN.has(run.status),
    onChange,
  );
}

async function poll<T>(
  read: () => Promise<T>,
  describe: (value: T) => string,
  settled: (value: T) => boolean,
  onChange: (line: string) => void,
): Promise<T> {
  let last = '';
  for (;;) {
    const value = await read();
    const line = describe(value);
    if (line !== last) onChange(line);
    last = line;
    if (settled(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}
