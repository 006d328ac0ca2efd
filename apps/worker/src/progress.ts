import type { Store } from '@metaopt/store';

export interface RunProgress {
  /** 0..1 of the whole run. */
  readonly fraction: number;
  readonly epoch?: number;
  readonly step?: number;
  readonly loss?: number;
}

export interface ProgressSink {
  updateProgress(progress: object): Promise<void>;
}

/**
 * Progress goes to the job (for live events) and to the record (for REST readers), but at
 * most once per interval: a meta-training run reports thousands of steps, and each write is
 * a round trip to Redis and PostgreSQL.
 *
 * A record write is only taken while the run is `running`; one refused means somebody else
 * moved the run (a user cancelling it, most often), which is how a worker that missed the
 * cancellation message still stops.
 */
export class ProgressReporter {
  private lastWriteMs = 0;
  private leftRunning = false;

  constructor(
    private readonly runId: string,
    private readonly job: ProgressSink,
    private readonly store: Store,
    private readonly intervalMs: number,
  ) {}

  /** True once a progress write found the record no longer running. */
  get recordLeftRunning(): boolean {
    return this.leftRunning;
  }

  async report(progress: RunProgress, force = false): Promise<void> {
    const nowMs = Date.now();
    if (!force && nowMs - this.lastWriteMs < this.intervalMs) return;
    this.lastWriteMs = nowMs;

    const [, written] = await Promise.all([
      this.job.updateProgress(progress),
      this.store.runs.updateProgress(this.runId, progress),
    ]);
    if (!written) this.leftRunning = true;
  }

  /**
   * Tells live readers that a checkpoint was saved: a job progress report marked
   * `checkpoint`, which the API's event streams send as a `checkpoint` event. The record's
   * progress is left as it is: checkpoints are records of their own.
   */
  async checkpointSaved(checkpoint: CheckpointNotice): Promise<void> {
    await this.job.updateProgress({ checkpoint });
  }
}

export interface CheckpointNotice {
  /** Epochs done when the checkpoint was taken. */
  readonly epoch: number;
  /** The epoch's test score; null when it was not finite. */
  readonly score: number | null;
  /** Whether these are the best weights so far. */
  readonly best: boolean;
}
