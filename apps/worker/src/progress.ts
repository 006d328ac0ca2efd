import type { Store } from '@metaopt/store';

export interface RunProgress {
  /** 0..1 of the whole run. */
  readonly fraction: number;
  readonly epoch?: number;
  readonly step?: number;
  readonly loss?: number;
}

interface ProgressSink {
  updateProgress(progress: object): Promise<void>;
}

/**
 * Progress goes to the job (for live events) and to the record (for REST readers), but at
 * most once per interval: a meta-training run reports thousands of steps, and each write is
 * a round trip to Redis and PostgreSQL.
 */
export class ProgressReporter {
  private lastWriteMs = 0;

  constructor(
    private readonly runId: string,
    private readonly job: ProgressSink,
    private readonly store: Store,
    private readonly intervalMs: number,
  ) {}

  async report(progress: RunProgress, force = false): Promise<void> {
    const nowMs = Date.now();
    if (!force && nowMs - this.lastWriteMs < this.intervalMs) return;
    this.lastWriteMs = nowMs;

    await Promise.all([
      this.job.updateProgress(progress),
      this.store.runs.updateProgress(this.runId, progress),
    ]);
  }
}
