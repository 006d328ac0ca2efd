/**
 * Reading what spawned workers did, for fault tests: their JSON log lines, which runs they
 * started and finished, and whether a process is still alive.
 */
import type { Store } from '@metaopt/store';
import { pollUntil } from './poll.js';
import type { TestWorker } from './worker.js';

export interface LogLine {
  readonly msg: string;
  readonly pid?: number;
  readonly runId?: string;
  readonly [key: string]: unknown;
}

/** The worker's pino lines (its own and its sandboxed processor's), in order. */
export function logLines(worker: TestWorker): LogLine[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return [];
      }
    });
}

/** Lines with message `msg`, about run `runId` when given, across all `workers`. */
export function linesOf(workers: readonly TestWorker[], msg: string, runId?: string): LogLine[] {
  return workers
    .flatMap(logLines)
    .filter((line) => line.msg === msg && (runId === undefined || line.runId === runId));
}

/**
 * The `msg` lines about `runId` once at least one has arrived. A worker logs after it writes,
 * so a record can read finished a moment before the pipe brings the line that says so.
 */
export async function linesOnceLogged(
  workers: readonly TestWorker[],
  msg: string,
  runId: string,
  timeoutMs = 10_000,
): Promise<LogLine[]> {
  return pollUntil(
    async () => linesOf(workers, msg, runId),
    (lines) => lines.length > 0,
    { timeoutMs, intervalMs: 50 },
  );
}

/** How many times each run was started across `workers`. */
export function startsByRun(workers: readonly TestWorker[]): Map<string, number> {
  const starts = new Map<string, number>();
  for (const line of linesOf(workers, 'run started')) {
    starts.set(line.runId!, (starts.get(line.runId!) ?? 0) + 1);
  }
  return starts;
}

export async function waitForLine(
  worker: TestWorker,
  matches: (line: LogLine) => boolean,
  timeoutMs = 60_000,
): Promise<LogLine> {
  const found = await pollUntil(
    async () => logLines(worker).find(matches),
    (line) => line !== undefined,
    { timeoutMs, intervalMs: 50 },
  );
  if (!found) throw new Error(`no such log line within ${timeoutMs} ms:\n${tail(worker)}`);
  return found;
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The last lines a worker printed, for failure messages. */
export function tail(worker: TestWorker, chars = 4000): string {
  return worker.output().slice(-chars);
}

/** Waits until the run's record reaches one of `statuses`; returns the record. */
export async function runReaches(
  store: Store,
  runId: string,
  statuses: readonly string[],
  timeoutMs = 120_000,
) {
  const record = await pollUntil(
    () => store.runs.get(runId),
    (run) => run !== null && statuses.includes(run.status),
    { timeoutMs, intervalMs: 100 },
  );
  if (!record || !statuses.includes(record.status)) {
    const error = record?.error ? ` (${record.error.code}: ${record.error.message})` : '';
    throw new Error(`run ${runId} is ${record?.status}${error}, not ${statuses.join(' or ')}`);
  }
  return record;
}

/** The epochs of the run's state checkpoints, ascending. */
export async function stateEpochs(store: Store, runId: string): Promise<number[]> {
  const refs = await store.checkpoints.listForRun(runId);
  return refs.filter((ref) => ref.role === 'state').map((ref) => ref.epoch);
}
