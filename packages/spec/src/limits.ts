/**
 * Sizes a single submission may ask for, and where its data may come from. Operators raise or
 * lower them through the API's configuration; the defaults keep one request from occupying
 * the workers for days or exhausting a worker's memory.
 */
export interface SpecLimits {
  readonly maxGridCells: number;
  readonly maxSteps: number;
  readonly maxTests: number;
  readonly maxEpochs: number;
  readonly maxQuadraticDim: number;
  /** Units in one hidden layer of an MNIST net (`task.hidden`). */
  readonly maxHiddenUnits: number;
  /** Units in each layer of the LSTM optimizer (`learned.hiddenSize`). */
  readonly maxLearnedHiddenSize: number;
  readonly maxRolloutsPerEpoch: number;
  /** Steps back-propagated through at once: the meta-gradient's tape grows with it. */
  readonly maxUnroll: number;
  /** Problems per meta-training roll-out. */
  readonly maxMetaBatch: number;
  /** Images per MNIST minibatch (`task.batchSize`). */
  readonly maxBatchSize: number;
  /** Floats of problem data a run holds at once, over all its problems (problem-floats.ts). */
  readonly maxProblemFloats: number;
  /**
   * Absolute directories an `{ idxDir }` dataset may lie in; empty refuses every idxDir.
   * Absent, any directory is allowed: that is for the CLI's local mode, whose user owns the
   * files. The API and the worker always set it, from METAOPT_DATA_DIRS (data-dirs.ts).
   */
  readonly dataDirs?: readonly string[];
}

/**
 * No limit on sizes, for a worker re-checking a job the API has let through: sizes are the
 * API's to limit (an operator may raise them there), a worker's own is its filesystem.
 */
export const NO_SIZE_LIMITS: SpecLimits = Object.freeze({
  maxGridCells: Infinity,
  maxSteps: Infinity,
  maxTests: Infinity,
  maxEpochs: Infinity,
  maxQuadraticDim: Infinity,
  maxHiddenUnits: Infinity,
  maxLearnedHiddenSize: Infinity,
  maxRolloutsPerEpoch: Infinity,
  maxUnroll: Infinity,
  maxMetaBatch: Infinity,
  maxBatchSize: Infinity,
  maxProblemFloats: Infinity,
});

export const DEFAULT_LIMITS: SpecLimits = Object.freeze({
  maxGridCells: 1000,
  maxSteps: 10_000,
  maxTests: 1000,
  maxEpochs: 1000,
  maxQuadraticDim: 1000,
  maxHiddenUnits: 4096,
  // The reference uses 20 units, one problem per roll-out and unrolls of 20 steps.
  maxLearnedHiddenSize: 256,
  maxRolloutsPerEpoch: 1000,
  maxUnroll: 200,
  maxMetaBatch: 100,
  // A minibatch holds distinct images: no shipped dataset has more than 10,000 in both splits.
  maxBatchSize: 10_000,
  // 800 MB as float32: 1000 default MNIST problems (117.5 M floats) fit; 1000 quadratics of
  // dimension 1000 (10⁹ floats, 4 GB) do not, though each of their sizes is within its limit.
  maxProblemFloats: 200_000_000,
});
