/**
 * Everything a meta-training run needs to resume bit-identically: where it is (epochs and
 * roll-outs done), φ, the meta-optimizer's Adam state, the best weights so far, the random
 * stream's state and the metrics of the finished epochs. Snapshots are taken between
 * roll-outs, so a stopped run loses at most the roll-out in progress.
 */
import type { LstmWeights } from '../learned/weights.js';

export interface EpochMetrics {
  /** 0-based. */
  readonly epoch: number;
  /** Mean over the test problems of the sum of their losses (NaN/∞ if some diverged). */
  readonly score: number;
  /** Mean over this epoch's truncations of L(φ). */
  readonly metaLoss: number;
  /** Whether this epoch's weights became the best. */
  readonly best: boolean;
  /** The best finite score so far, this epoch included; null while there is none. */
  readonly bestScore: number | null;
  /** The seed of this epoch's test problems: `evaluateOptimizer(…, { seed: evalSeed })`. */
  readonly evalSeed: number;
  /** The evaluation's first step with a non-finite loss, if any. */
  readonly evalDivergedAtStep: number | null;
}

export interface MetaAdamState {
  /** Steps taken. */
  readonly t: number;
  /** [nφ] first and second moments. */
  readonly m: Float32Array;
  readonly v: Float32Array;
}

export interface MetaTrainState {
  /** The `NUMERICS_VERSION` that wrote it; another version's state is refused. */
  readonly numericsVersion: string;
  readonly epochsDone: number;
  /** Roll-outs done of epoch `epochsDone` (= rolloutsPerEpoch: only its evaluation is left). */
  readonly rolloutsDone: number;
  /** Σ L over this epoch's truncations so far, and their count. */
  readonly epochMetaLossSum: number;
  readonly epochTruncations: number;
  /** φ now. */
  readonly weights: LstmWeights;
  /** Adam on φ; m and v flat in LSTM_WEIGHT_NAMES order. */
  readonly metaAdam: MetaAdamState;
  /** The weights with the best finite score, or null before any. */
  readonly best: LstmWeights | null;
  readonly bestScore: number | null;
  /** xoroshiro128+ state (four int32s). */
  readonly rngState: readonly number[];
  readonly epochs: readonly EpochMetrics[];
}
