/** What executing a run yields, for whoever keeps it (the store, or a local session). */

export interface RunSummary {
  readonly meanSumLoss?: number;
  /** Standard deviation over problems of the sum of losses. */
  readonly sumLossStd?: number;
  readonly finalLossMean?: number;
  readonly bestScore?: number | null;
  readonly epochs?: number;
  readonly divergedAtStep?: number;
}

/** Statistics over test problems, one entry per step (per epoch for `epochScore`). */
export interface RunCurve {
  readonly series: 'loss' | 'epochScore';
  readonly steps: number;
  readonly problems: number;
  readonly mean: readonly number[];
  readonly std?: readonly number[];
  readonly p10?: readonly number[];
  readonly median?: readonly number[];
  readonly p90?: readonly number[];
  readonly min?: readonly number[];
  readonly max?: readonly number[];
}

export type RunOutcome =
  | {
      readonly kind: 'finished';
      /** `diverged`: a loss became NaN or infinite; a result, not a crash. */
      readonly status: 'succeeded' | 'diverged';
      readonly summary: RunSummary;
      readonly curves: readonly RunCurve[];
    }
  /** Stopped at a safe point (shutdown or cancellation) before the end. */
  | { readonly kind: 'interrupted' };

export interface RunProgress {
  /** 0..1 of the whole run. */
  readonly fraction: number;
  readonly epoch?: number;
  readonly step?: number;
  readonly loss?: number;
}
