import type { EpochMetrics, LstmWeights, MetaTrainState } from '@metaopt/l2l';
import type { TrainedSource } from '@metaopt/spec';
import type { RunProgress } from './outcome.js';

/**
 * What executing a run needs from its surroundings. The worker backs it with PostgreSQL
 * (checkpoints, trained optimizers) and BullMQ (progress, stop requests); the CLI's local
 * mode backs it with memory.
 */
export interface RunServices {
  /** The weights of the optimizer an evaluation names. */
  trainedWeights(trained: TrainedSource): Promise<LstmWeights>;
  /** Where an earlier attempt of this meta-training left off, if anywhere. */
  latestMetaTrainState(): Promise<MetaTrainState | undefined>;
  /** After each meta-training epoch: keep `state` to resume from, and the best weights. */
  saveEpoch(state: MetaTrainState, metrics: EpochMetrics): Promise<void>;
  /** A stopped meta-training's position, so the next attempt resumes there. */
  saveStoppedState(state: MetaTrainState): Promise<void>;
  progress(progress: RunProgress, force?: boolean): Promise<void>;
  /** Polled between steps and roll-outs; true stops the run at the next safe point. */
  stopRequested(): boolean;
}
