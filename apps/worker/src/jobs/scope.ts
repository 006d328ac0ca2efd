import type { Logger } from 'pino';
import type { Store } from '@metaopt/store';
import type { ProgressReporter } from '../progress.js';

/** One job's view of its surroundings, handed to the handler of its run kind. */
export class JobScope {
  constructor(
    readonly runId: string,
    readonly store: Store,
    readonly log: Logger,
    readonly progress: ProgressReporter,
    private readonly signal: AbortSignal | undefined,
  ) {}

  /** True once the worker is shutting down or the run was cancelled. */
  stopRequested(): boolean {
    return this.signal?.aborted ?? false;
  }

  /** Hooks for a rollout of `steps` steps: progress by step, and a way to stop early. */
  evaluationHooks(steps: number) {
    return {
      onProgress: (p: { step: number; loss?: number }) =>
        this.progress.report({ fraction: p.step / steps, step: p.step, loss: p.loss }),
      shouldStop: async () => this.stopRequested(),
    };
  }
}
