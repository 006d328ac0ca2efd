import type { CurveInput, RunSummary } from '@metaopt/store';

/** What a job handler hands back to the processor, which stores it. */
export type JobOutcome =
  | {
      readonly kind: 'finished';
      readonly status: 'succeeded' | 'diverged';
      readonly summary: RunSummary;
      readonly curves: readonly CurveInput[];
    }
  /** Stopped at a safe point (shutdown or cancellation); the job goes back to the queue. */
  | { readonly kind: 'interrupted' };
