import { NUMERICS_VERSION, evaluateOptimizer, fromTorchStateDict } from '@metaopt/l2l';
import { runIdOf, type EvaluateRun } from '@metaopt/spec';
import { WorkerError } from '../errors.js';
import type { JobOutcome } from './outcome.js';
import { dataFor, outcomeOfLosses } from './rollouts.js';
import type { JobScope } from './scope.js';

/** A trained LSTM optimizer on `nTests` problems of the task, as one batched computation. */
export async function runEvaluate(spec: EvaluateRun, scope: JobScope): Promise<JobOutcome> {
  const { learned, weights } = await trainedOptimizer(spec, scope);
  const data = await dataFor(spec.task);

  const losses = await evaluateOptimizer(
    spec.task,
    { learned, weights },
    { steps: spec.steps, nTests: spec.nTests, seed: spec.seed },
    data,
    scope.evaluationHooks(spec.steps),
  );
  if (scope.stopRequested()) return { kind: 'interrupted' };

  return outcomeOfLosses(losses);
}

async function trainedOptimizer(spec: EvaluateRun, scope: JobScope) {
  if ('checkpoint' in spec.trained) {
    const checkpoint = await scope.store.checkpoints.get(spec.trained.checkpoint);
    if (!checkpoint) {
      throw new WorkerError(
        'CHECKPOINT_NOT_FOUND',
        `No checkpoint ${spec.trained.checkpoint}.`,
        false,
      );
    }
    const weights = fromTorchStateDict(JSON.parse(new TextDecoder().decode(checkpoint.bytes)));
    return { learned: spec.trained.learned, weights };
  }

  const trainerId = runIdOf(spec.trained.metaTrain, NUMERICS_VERSION);
  const best = await scope.store.checkpoints.latest(trainerId, 'best');
  if (!best) {
    throw new WorkerError(
      'TRAINED_OPTIMIZER_MISSING',
      `Meta-training run ${trainerId} left no trained optimizer (did it diverge at once?).`,
      false,
    );
  }
  const weights = fromTorchStateDict(JSON.parse(new TextDecoder().decode(best.bytes)));
  return { learned: spec.trained.metaTrain.learned, weights };
}
