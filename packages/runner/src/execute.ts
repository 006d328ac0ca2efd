/**
 * Executes one normalized run spec on the numerics: a classic optimizer or a trained LSTM on
 * `nTests` problems (one batched computation), or a resumable meta-training.
 */
import { loadDataset, type DatasetSplit } from '@metaopt/datasets';
import {
  evaluateOptimizer,
  metaTrain,
  summarizeLosses,
  type EvaluatedOptimizer,
  type LossMatrix,
} from '@metaopt/l2l';
import type { MetaTrainRun, RunSpec, Task } from '@metaopt/spec';
import type { RunCurve, RunOutcome } from './outcome.js';
import type { RunServices } from './services.js';

export async function executeRun(spec: RunSpec, services: RunServices): Promise<RunOutcome> {
  switch (spec.kind) {
    case 'baseline':
      return evaluate(spec, spec.optimizer, services);
    case 'evaluate': {
      const weights = await services.trainedWeights(spec.trained);
      const learned =
        'metaTrain' in spec.trained ? spec.trained.metaTrain.learned : spec.trained.learned;
      return evaluate(spec, { learned, weights }, services);
    }
    case 'meta-train':
      return metaTrainRun(spec, services);
  }
}

async function evaluate(
  spec: Exclude<RunSpec, MetaTrainRun>,
  optimizer: EvaluatedOptimizer,
  services: RunServices,
): Promise<RunOutcome> {
  const losses = await evaluateOptimizer(
    spec.task,
    optimizer,
    { steps: spec.steps, nTests: spec.nTests, seed: spec.seed },
    await dataFor(spec.task),
    {
      onProgress: (p: { step: number; fraction: number; loss?: number }) =>
        services.progress({ fraction: p.fraction, step: p.step, loss: p.loss }),
      shouldStop: async () => services.stopRequested(),
    },
  );
  if (services.stopRequested()) return { kind: 'interrupted' };
  return outcomeOfLosses(losses);
}

async function metaTrainRun(spec: MetaTrainRun, services: RunServices): Promise<RunOutcome> {
  const result = await metaTrain(spec, await dataFor(spec.task), {
    resume: await services.latestMetaTrainState(),
    onEpoch: async (state, metrics) => {
      await services.saveEpoch(state, metrics);
      const epochsDone = metrics.epoch + 1;
      const fraction = epochsDone / spec.epochs;
      await services.progress({ fraction, epoch: epochsDone, loss: metrics.score }, true);
    },
    onProgress: (p) => services.progress({ fraction: p.fraction, epoch: p.epoch }),
    shouldStop: async () => services.stopRequested(),
  });
  if (result.stopped) {
    await services.saveStoppedState(result.state);
    return { kind: 'interrupted' };
  }

  const scores = result.epochs.map((epoch) => epoch.score);
  return {
    kind: 'finished',
    // Diverged if training blew up at any point, even after a finite best: that best (never a
    // non-finite one) stays the trained optimizer evaluations use.
    status: result.diverged || result.bestScore === null ? 'diverged' : 'succeeded',
    summary: {
      bestScore: result.bestScore,
      epochs: result.epochs.length,
      ...(result.diverged ? { divergedAtStep: result.diverged.step } : {}),
    },
    curves: [{ series: 'epochScore', steps: scores.length, problems: spec.nTests, mean: scores }],
  };
}

export function dataFor(task: Task): Promise<DatasetSplit | undefined> {
  return task.kind === 'mnist' ? loadDataset(task.dataset) : Promise.resolve(undefined);
}

export function outcomeOfLosses(losses: LossMatrix): RunOutcome {
  const summary = summarizeLosses(losses);
  const curve: RunCurve = {
    series: 'loss',
    steps: losses.steps,
    problems: losses.problems,
    ...summary.curve,
  };
  const { divergedAtStep } = losses;
  return {
    kind: 'finished',
    status: divergedAtStep === null ? 'succeeded' : 'diverged',
    summary: {
      meanSumLoss: summary.meanSumLoss,
      sumLossStd: sumLossStd(losses),
      finalLossMean: summary.finalLossMean,
      ...(divergedAtStep === null ? {} : { divergedAtStep }),
    },
    curves: [curve],
  };
}

/** Spread over problems of the score: the standard deviation of each problem's loss sum. */
function sumLossStd({ problems, steps, losses }: LossMatrix): number {
  const sums = Array.from({ length: problems }, (_, p) =>
    losses.subarray(p * steps, (p + 1) * steps).reduce((sum, loss) => sum + loss, 0),
  );
  const mean = sums.reduce((a, b) => a + b, 0) / problems;
  return Math.sqrt(sums.reduce((acc, sum) => acc + (sum - mean) ** 2, 0) / problems);
}
