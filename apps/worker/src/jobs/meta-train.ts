/**
 * Meta-training, resumable: after every epoch, and where the run is stopped (at a roll-out
 * boundary), a checkpoint holds everything needed to go on — weights, meta-optimizer state,
 * position, best so far, random state — so a job taken over from a dead or stopped worker
 * starts where that worker left off.
 */
import {
  decodeMetaTrainState,
  encodeMetaTrainState,
  metaTrain,
  toTorchStateDict,
  type EpochMetrics,
  type MetaTrainState,
} from '@metaopt/l2l';
import type { MetaTrainRun } from '@metaopt/spec';
import type { JobOutcome } from './outcome.js';
import { dataFor } from './rollouts.js';
import type { JobScope } from './scope.js';

export async function runMetaTrain(spec: MetaTrainRun, scope: JobScope): Promise<JobOutcome> {
  const data = await dataFor(spec.task);
  const resume = await latestState(scope);
  if (resume) {
    scope.log.info(
      { epochsDone: resume.epochsDone, rolloutsDone: resume.rolloutsDone },
      'resuming meta-training',
    );
  }

  const result = await metaTrain(spec, data, {
    resume,
    onEpoch: (state, metrics) => saveEpoch(scope, spec, state, metrics),
    onProgress: (p) => scope.progress.report({ fraction: p.fraction, epoch: p.epoch }),
    shouldStop: async () => scope.stopRequested(),
  });
  if (result.stopped) {
    await saveState(scope, result.state, null);
    return { kind: 'interrupted' };
  }

  const scores = result.epochs.map((epoch) => epoch.score);
  return {
    kind: 'finished',
    status: result.bestScore === null ? 'diverged' : 'succeeded',
    summary: {
      bestScore: result.bestScore,
      epochs: result.epochs.length,
      ...(result.diverged ? { divergedAtStep: result.diverged.step } : {}),
    },
    curves: [{ series: 'epochScore', steps: scores.length, problems: spec.nTests, mean: scores }],
  };
}

async function latestState(scope: JobScope): Promise<MetaTrainState | undefined> {
  const checkpoint = await scope.store.checkpoints.latest(scope.runId, 'state');
  return checkpoint ? decodeMetaTrainState(checkpoint.bytes) : undefined;
}

async function saveEpoch(
  scope: JobScope,
  spec: MetaTrainRun,
  state: MetaTrainState,
  metrics: EpochMetrics,
): Promise<void> {
  const epochsDone = metrics.epoch + 1;
  await saveState(scope, state, metrics.score);
  if (metrics.best && state.best) {
    // The best weights are kept in PyTorch's state_dict layout, so they export as they are.
    const stateDict = JSON.stringify(toTorchStateDict(state.best));
    await scope.store.checkpoints.put(scope.runId, {
      epoch: epochsDone,
      score: metrics.score,
      role: 'best',
      bytes: new TextEncoder().encode(stateDict),
    });
  }

  scope.log.info(
    { epoch: epochsDone, score: metrics.score, metaLoss: metrics.metaLoss, best: metrics.best },
    'epoch finished',
  );
  await scope.progress.report(
    { fraction: epochsDone / spec.epochs, epoch: epochsDone, loss: metrics.score },
    true,
  );
}

async function saveState(
  scope: JobScope,
  state: MetaTrainState,
  score: number | null,
): Promise<void> {
  await scope.store.checkpoints.put(scope.runId, {
    epoch: state.epochsDone,
    score: score !== null && Number.isFinite(score) ? score : null,
    role: 'state',
    bytes: encodeMetaTrainState(state),
  });
}
