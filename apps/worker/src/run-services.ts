/**
 * The runner's services backed by PostgreSQL: checkpoints to resume meta-training from, the
 * trained optimizers evaluations name, and progress on the job and the record.
 */
import {
  NUMERICS_VERSION,
  decodeMetaTrainState,
  encodeMetaTrainState,
  fromTorchStateDict,
  toTorchStateDict,
  type EpochMetrics,
  type LstmWeights,
  type MetaTrainState,
} from '@metaopt/l2l';
import type { RunProgress, RunServices } from '@metaopt/runner';
import { runIdOf, type TrainedSource } from '@metaopt/spec';
import type { Store } from '@metaopt/store';
import type { Logger } from 'pino';
import { WorkerError } from './errors.js';
import type { ProgressReporter } from './progress.js';
import { STOP_FOR_CANCELLATION } from './stop-reasons.js';

/**
 * Why a job was asked to stop: the worker is shutting down (the run goes back to the queue),
 * the run was cancelled, or its record left `running` under the job (see ProgressReporter).
 */
export type StopReason = 'shutdown' | 'cancelled' | 'record-moved';

export class StoreRunServices implements RunServices {
  constructor(
    private readonly runId: string,
    private readonly store: Store,
    private readonly log: Logger,
    private readonly reporter: ProgressReporter,
    private readonly signal: AbortSignal | undefined,
  ) {}

  stopRequested(): boolean {
    return this.stopReason() !== null;
  }

  stopReason(): StopReason | null {
    if (this.signal?.aborted) {
      return this.signal.reason === STOP_FOR_CANCELLATION ? 'cancelled' : 'shutdown';
    }
    return this.reporter.recordLeftRunning ? 'record-moved' : null;
  }

  progress(progress: RunProgress, force = false): Promise<void> {
    return this.reporter.report(progress, force);
  }

  async trainedWeights(trained: TrainedSource): Promise<LstmWeights> {
    if ('checkpoint' in trained) {
      const checkpoint = await this.store.checkpoints.get(trained.checkpoint);
      if (!checkpoint) {
        throw new WorkerError(
          'CHECKPOINT_NOT_FOUND',
          `No checkpoint ${trained.checkpoint}.`,
          false,
        );
      }
      return decodeStateDict(checkpoint.bytes);
    }

    const trainerId = runIdOf(trained.metaTrain, NUMERICS_VERSION);
    const best = await this.store.checkpoints.latest(trainerId, 'best');
    if (!best) {
      throw new WorkerError(
        'TRAINED_OPTIMIZER_MISSING',
        `Meta-training run ${trainerId} left no trained optimizer (did it diverge at once?).`,
        false,
      );
    }
    return decodeStateDict(best.bytes);
  }

  async latestMetaTrainState(): Promise<MetaTrainState | undefined> {
    const checkpoint = await this.store.checkpoints.latest(this.runId, 'state');
    if (!checkpoint) return undefined;
    const state = decodeMetaTrainState(checkpoint.bytes);
    this.log.info(
      { epochsDone: state.epochsDone, rolloutsDone: state.rolloutsDone },
      'resuming meta-training',
    );
    return state;
  }

  async saveEpoch(state: MetaTrainState, metrics: EpochMetrics): Promise<void> {
    const epochsDone = metrics.epoch + 1;
    await this.saveState(state, metrics.score);
    if (metrics.best && state.best) {
      // The best weights are kept in PyTorch's state_dict layout, so they export as they are.
      const bytes = new TextEncoder().encode(JSON.stringify(toTorchStateDict(state.best)));
      await this.store.checkpoints.put(this.runId, {
        epoch: epochsDone,
        score: metrics.score,
        role: 'best',
        bytes,
      });
    }
    const score = Number.isFinite(metrics.score) ? metrics.score : null;
    await this.reporter.checkpointSaved({ epoch: epochsDone, score, best: metrics.best });

    this.log.info(
      { epoch: epochsDone, score: metrics.score, metaLoss: metrics.metaLoss, best: metrics.best },
      'epoch finished',
    );
  }

  saveStoppedState(state: MetaTrainState): Promise<void> {
    return this.saveState(state, null);
  }

  private async saveState(state: MetaTrainState, score: number | null): Promise<void> {
    await this.store.checkpoints.put(this.runId, {
      epoch: state.epochsDone,
      score: score !== null && Number.isFinite(score) ? score : null,
      role: 'state',
      bytes: encodeMetaTrainState(state),
    });
  }
}

function decodeStateDict(bytes: Uint8Array): LstmWeights {
  return fromTorchStateDict(JSON.parse(new TextDecoder().decode(bytes)));
}
