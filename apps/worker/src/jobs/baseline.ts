import { evaluateOptimizer } from '@metaopt/l2l';
import type { BaselineRun } from '@metaopt/spec';
import type { JobScope } from './scope.js';
import type { JobOutcome } from './outcome.js';
import { dataFor, outcomeOfLosses } from './rollouts.js';

/** A classic optimizer on `nTests` problems of the task, batched into one computation. */
export async function runBaseline(spec: BaselineRun, scope: JobScope): Promise<JobOutcome> {
  const data = await dataFor(spec.task);

  const losses = await evaluateOptimizer(
    spec.task,
    spec.optimizer,
    { steps: spec.steps, nTests: spec.nTests, seed: spec.seed },
    data,
    scope.evaluationHooks(spec.steps),
  );
  if (scope.stopRequested()) return { kind: 'interrupted' };

  return outcomeOfLosses(losses);
}
