/**
 * The parts every kind of run shares: the task's data, and turning a matrix of losses into
 * the stored summary and curve.
 */
import { loadDataset, type DatasetSplit } from '@metaopt/datasets';
import { summarizeLosses, type LossMatrix } from '@metaopt/l2l';
import type { Task } from '@metaopt/spec';
import type { CurveInput, RunSummary } from '@metaopt/store';
import type { JobOutcome } from './outcome.js';

export async function dataFor(task: Task): Promise<DatasetSplit | undefined> {
  return task.kind === 'mnist' ? loadDataset(task.dataset) : undefined;
}

export function outcomeOfLosses(losses: LossMatrix): JobOutcome {
  const summary = summarizeLosses(losses);
  const curve: CurveInput = {
    series: 'loss',
    steps: losses.steps,
    problems: losses.problems,
    ...summary.curve,
  };
  const runSummary: RunSummary = {
    meanSumLoss: summary.meanSumLoss,
    finalLossMean: summary.finalLossMean,
    ...(losses.divergedAtStep === null ? {} : { divergedAtStep: losses.divergedAtStep }),
  };
  return {
    kind: 'finished',
    status: losses.divergedAtStep === null ? 'succeeded' : 'diverged',
    summary: runSummary,
    curves: [curve],
  };
}
