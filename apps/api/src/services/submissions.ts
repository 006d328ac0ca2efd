/**
 * Submitting planned runs: record them, then queue what is not already settled. Records are
 * written first so that a run is readable as `queued` from the moment its id is returned.
 * Concurrent submissions of the same runs are safe: records are inserted idempotently and
 * BullMQ keeps one job per run id.
 */
import type { PlannedRun } from '@metaopt/spec';
import type { Job } from 'bullmq';
import type { RunProducer } from '@metaopt/queue';
import type { RunRecord, RunStatus, Store } from '@metaopt/store';

/** Statuses whose result stands: asking again answers from the store. */
const SETTLED = new Set(['succeeded', 'diverged']);
/** Statuses that a new submission starts over. */
const RESTARTABLE = new Set(['failed', 'cancelled']);
/** How long a restart waits for a job whose run was recorded failed to leave `active`. */
const FAILING_JOB_WAIT_MS = 5000;

export interface SubmittedRun {
  id: string;
  kind: string;
  role: PlannedRun['role'];
  status: RunStatus;
}

export interface Submission {
  readonly runs: SubmittedRun[];
  /** True when every run was already settled: nothing was queued. */
  readonly cached: boolean;
}

export class SubmissionService {
  constructor(
    private readonly store: Store,
    private readonly producer: RunProducer,
    /** Told of every submission's runs, for the cache hit and miss counts. */
    private readonly onSubmitted: (runs: readonly SubmittedRun[]) => void = () => {},
  ) {}

  async submit(runs: readonly PlannedRun[], requestId?: string): Promise<Submission> {
    const records = await this.recordAll(runs);

    const restart = runs.filter((run) => RESTARTABLE.has(records.get(run.id)?.status ?? ''));
    if (restart.length > 0) await this.restart(restart.map((run) => records.get(run.id)!));
    const queued = runs.filter((run) => records.get(run.id)?.status === 'queued');
    await this.dropFailedJobs(queued.map((run) => run.id));

    const settled = new Set(
      runs.filter((run) => SETTLED.has(records.get(run.id)?.status ?? '')).map((run) => run.id),
    );
    await this.producer.enqueue(runs, settled, requestId);

    const submitted = runs.map((run) => ({
      id: run.id,
      kind: run.spec.kind,
      role: run.role,
      status: restart.includes(run) ? 'queued' : (records.get(run.id)?.status ?? 'queued'),
    }));
    this.onSubmitted(submitted);
    return { runs: submitted, cached: settled.size === runs.length };
  }

  private async recordAll(runs: readonly PlannedRun[]): Promise<Map<string, RunRecord>> {
    const records = await this.store.runs.ensureMany(
      runs.map((run) => ({
        id: run.id,
        kind: run.spec.kind,
        taskKind: run.spec.task.kind,
        spec: run.spec,
      })),
    );
    return new Map(records.map((record) => [record.id, record]));
  }

  /**
   * A failed job stays in Redis for inspection; it must go before the run can be queued. A
   * processor records its failure a moment before BullMQ moves the job to the failed set: a
   * restart in that moment waits for the move (up to FAILING_JOB_WAIT_MS for all the runs of
   * one submission), or the new job would be refused as a copy of the active one, and the run
   * would stay queued with no job to run it. A job still active after the wait (the move takes
   * milliseconds) leaves its run so until it is submitted again (see dropFailedJobs).
   */
  private async restart(records: readonly RunRecord[]): Promise<void> {
    const deadline = Date.now() + FAILING_JOB_WAIT_MS;
    for (const record of records) {
      const job = await this.producer.queue.getJob(record.id);
      if (!job) continue;
      let state = await job.getState();
      while (record.status === 'failed' && state === 'active' && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        state = await job.getState();
      }
      if (state === 'failed') await this.removeFailed(job);
    }
    await this.store.runs.requeue(records.map((record) => record.id));
  }

  /**
   * A queued run whose job sits in the failed set would never run: its record lost the news
   * (a restart that outwaited FAILING_JOB_WAIT_MS, a clean-up that had not run yet), and the
   * failed job would refuse the new one as a copy. Submitting it again removes that job.
   */
  private async dropFailedJobs(ids: readonly string[]): Promise<void> {
    // Every queued run of a submission is asked about, a new one too: all at once, not one
    // round trip after another, so that a large sweep's first submission stays quick.
    const states = await Promise.all(ids.map((id) => this.producer.queue.getJobState(id)));
    const failed = ids.filter((_, i) => states[i] === 'failed');
    for (const id of failed) {
      const job = await this.producer.queue.getJob(id);
      if (job) await this.removeFailed(job);
    }
  }

  /**
   * Removes `job` if it is still the failed one under its id. A concurrent submission of the
   * same run may have removed it and added a new job since, which must stay.
   */
  private async removeFailed(job: Job): Promise<void> {
    const stillTheFailedOne = async () =>
      (await this.producer.queue.getJob(job.id as string))?.timestamp === job.timestamp;
    if (!(await stillTheFailedOne())) return;
    await job.remove().catch(async (error: unknown) => {
      // Removed by a concurrent submission first (perhaps replaced too): not an error.
      if (await stillTheFailedOne()) throw error;
    });
  }
}
