/**
 * Keeping the records honest about a job that failed without its processor recording it: its
 * process crashed, or its workers died more often than the queue allows (BullMQ then fails it
 * without running it). The worker's parent process calls this on every failed job.
 */
import type { Job, Queue } from 'bullmq';
import { GRID_JOB, type GridJobData, type RunJobData, type RunJobResult } from '@metaopt/queue';
import type { Store } from '@metaopt/store';
import type { Logger } from 'pino';
import { type MemberEvents, failRuns, releaseRuns } from './member-events.js';

/** BullMQ's reason for a job failed by its stalled-job check rather than by a processor. */
const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

export interface Settling {
  readonly store: Store;
  /** The runs queue, to tell the failed job from one added since under its id. */
  readonly queue: Queue;
  readonly workerName: string;
  readonly gridEvents: () => MemberEvents;
  readonly log: Logger;
}

/**
 * The records must not go on saying `running`: failed for good means failed, a retry to come
 * means queued. Only running records are touched, so this does nothing where the processor
 * was first, nor to a run resubmitted before this handler got its turn; and nothing at all
 * once a resubmission (or a sweep's retry) has removed the failed job and added a new one
 * under its id, whose run may be running already. A learning-rate grid's runs are its
 * members, whose events say so too (member-events.ts).
 */
export async function settleFailedJob(
  { store, queue, workerName, gridEvents, log }: Settling,
  job: Job<RunJobData, RunJobResult>,
  err: Error,
): Promise<void> {
  const runIds = runsOf(job);
  try {
    // BullMQ stamps each job with the time it was added; a new job under the id has another.
    const current = await queue.getJob(job.id as string);
    if (current && current.timestamp !== job.timestamp) {
      log.info({ jobId: job.id }, 'failed job replaced since; its runs left alone');
      return;
    }

    const failed = (await (current ?? job).getState()) === 'failed';
    const running = await stillRunning(store, runIds);
    const events = job.name === GRID_JOB && running.length > 0 ? gridEvents() : null;
    await (failed
      ? failRuns(store, events, running, runErrorOf(err), job.attemptsMade)
      : releaseRuns(store, events, running, workerName, 'delayed'));
  } catch (error) {
    log.error({ runIds, err: error }, 'cannot record the failed job on its runs');
  }
}

function runsOf(job: Job<RunJobData, RunJobResult>): string[] {
  return job.name === GRID_JOB
    ? (job.data as unknown as GridJobData).runs.map((run) => run.runId)
    : [job.id as string];
}

/**
 * Only the runs its processor left running. A settled one was recorded by the processor; a
 * queued one may be a resubmission made since, which this late news must not fail.
 */
async function stillRunning(store: Store, runIds: readonly string[]): Promise<string[]> {
  const running: string[] = [];
  for (const runId of runIds) {
    if ((await store.runs.get(runId))?.status === 'running') running.push(runId);
  }
  return running;
}

function runErrorOf(err: Error): { code: string; message: string } {
  return err.message === STALLED_TOO_OFTEN
    ? {
        code: 'RUN_STALLED',
        message: 'The workers running this run stopped answering too many times.',
      }
    : { code: 'RUN_FAILED', message: err.message };
}
