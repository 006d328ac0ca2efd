/**
 * What the live event streams say about a run, in our words rather than BullMQ's: a queue
 * event (read live from QueueEvents or replayed from the events stream) or a run record (a
 * snapshot of where the run stands) becomes zero or more run events.
 */
import type { RunRecord } from '@metaopt/store';

export const RUN_EVENT_TYPES = [
  'queued',
  'started',
  'progress',
  'checkpoint',
  'finished',
  'diverged',
  'failed',
  'cancelled',
] as const;

export type RunEventType = (typeof RUN_EVENT_TYPES)[number];

export interface RunEvent {
  readonly type: RunEventType;
  /** Sent as the event's `data`, always with the run id. */
  readonly data: { readonly runId: string } & Record<string, unknown>;
}

/** One entry of BullMQ's events stream, with its stream id and JSON fields parsed. */
export interface QueueEventEntry {
  /** The Redis stream id, `<ms>-<seq>`: the SSE event id. */
  readonly id: string;
  readonly event: string;
  readonly jobId?: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Run statuses after which nothing more happens to a run unless it is submitted again. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set([
  'succeeded',
  'diverged',
  'failed',
  'cancelled',
]);

/** The status a run event leaves its run in, where it changes it. */
export function statusAfter(event: RunEvent): string | undefined {
  switch (event.type) {
    case 'queued':
      return 'queued';
    case 'started':
      return 'running';
    case 'finished':
      return String(event.data.status ?? 'succeeded');
    case 'diverged':
    case 'failed':
    case 'cancelled':
      return event.type;
    default:
      return undefined;
  }
}

/** Why a job went (back) to waiting, by the BullMQ event that says so. */
const QUEUED_REASONS: Readonly<Record<string, string | undefined>> = {
  waiting: undefined,
  'waiting-children': 'dependencies',
  delayed: 'retry',
  stalled: 'stalled',
};

/**
 * The run event a queue event means, or null for one that means nothing to a reader (e.g.
 * `removed`, `drained`). A `completed` with the result `cached` is also null here: the
 * record says whether the run it answered from had succeeded or diverged (see
 * {@link terminalEvent}).
 */
export function runEventOf(entry: QueueEventEntry): RunEvent | null {
  const runId = entry.jobId;
  if (!runId) return null;
  const { fields } = entry;

  if (entry.event in QUEUED_REASONS) {
    const reason = QUEUED_REASONS[entry.event];
    return { type: 'queued', data: { runId, ...(reason ? { reason } : {}) } };
  }
  switch (entry.event) {
    case 'active':
      return { type: 'started', data: { runId } };
    case 'progress':
      return progressEvent(runId, fields.data);
    case 'completed':
      return completedEvent(runId, fields.returnvalue);
    case 'failed':
      return { type: 'failed', data: { runId, reason: String(fields.failedReason ?? '') } };
    default:
      return null;
  }
}

function progressEvent(runId: string, data: unknown): RunEvent | null {
  if (typeof data !== 'object' || data === null) return null;
  const { checkpoint, ...progress } = data as Record<string, unknown>;
  // The worker marks the progress report that follows a saved checkpoint (see progress.ts).
  if (typeof checkpoint === 'object' && checkpoint !== null) {
    return { type: 'checkpoint', data: { runId, ...checkpoint } };
  }
  return { type: 'progress', data: { runId, ...progress } };
}

function completedEvent(runId: string, result: unknown): RunEvent | null {
  const status = (result as { status?: unknown } | null)?.status;
  switch (status) {
    case 'diverged':
      return { type: 'diverged', data: { runId } };
    case 'cancelled':
      return { type: 'cancelled', data: { runId } };
    case 'succeeded':
      return { type: 'finished', data: { runId, status: 'succeeded' } };
    default:
      return null;
  }
}

/** The event that says how a settled run ended, from its record; null if it has not. */
export function terminalEvent(run: RunRecord): RunEvent | null {
  const runId = run.id;
  switch (run.status) {
    case 'succeeded':
      return { type: 'finished', data: { runId, status: 'succeeded', summary: run.summary } };
    case 'diverged':
      return { type: 'diverged', data: { runId, summary: run.summary } };
    case 'failed':
      return { type: 'failed', data: { runId, reason: run.error?.message ?? '' } };
    case 'cancelled':
      return { type: 'cancelled', data: { runId } };
    default:
      return null;
  }
}

/**
 * Where a run stands now, as the events a reader who had followed it from the start would
 * have last seen: `queued`; `started` and its latest `progress`; or how it ended.
 */
export function snapshotEvents(run: RunRecord): RunEvent[] {
  const runId = run.id;
  switch (run.status) {
    case 'queued':
      return [{ type: 'queued', data: { runId } }];
    case 'running':
      return [
        { type: 'started', data: { runId } },
        ...(run.progress ? [{ type: 'progress' as const, data: { runId, ...run.progress } }] : []),
      ];
    default: {
      const event = terminalEvent(run);
      return event ? [event] : [];
    }
  }
}
