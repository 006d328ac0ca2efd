/**
 * Baseline runs that differ only in their learning rate, executed as one batch (the
 * learning rates as a batch dimension, see @metaopt/l2l's evaluateLearningRates): each run's
 * outcome is exactly the one it gets executed alone.
 */
import { evaluateLearningRates } from '@metaopt/l2l';
import { canonicalJson, type BaselineRun } from '@metaopt/spec';

import { dataFor, outcomeOfLosses } from './execute.js';
import type { RunOutcome } from './outcome.js';
import type { RunServices } from './services.js';

export class GridMismatchError extends Error {
  override readonly name = 'GridMismatchError';
  readonly code = 'RUN_GRID_MISMATCH';
}

/** One outcome per spec, in order; `interrupted` if asked to stop midway. */
export async function executeGrid(
  specs: readonly BaselineRun[],
  services: Pick<RunServices, 'progress' | 'stopRequested'>,
): Promise<readonly RunOutcome[] | { readonly kind: 'interrupted' }> {
  const first = specs[0];
  if (!first) return [];
  const shared = (spec: BaselineRun) => canonicalJson({ ...spec, optimizer: withoutLr(spec) });
  if (specs.some((spec) => shared(spec) !== shared(first))) {
    throw new GridMismatchError('the runs of a learning-rate grid may differ in optimizer.lr only');
  }

  const matrices = await evaluateLearningRates(
    first.task,
    withoutLr(first),
    specs.map((spec) => spec.optimizer.lr),
    { steps: first.steps, nTests: first.nTests, seed: first.seed },
    await dataFor(first.task),
    {
      onProgress: (p) => services.progress({ fraction: p.fraction, step: p.step }),
      shouldStop: async () => services.stopRequested(),
    },
  );
  if (services.stopRequested()) return { kind: 'interrupted' };
  return matrices.map(outcomeOfLosses);
}

function withoutLr(spec: BaselineRun): Omit<BaselineRun['optimizer'], 'lr'> {
  const optimizer: { lr?: number } = { ...spec.optimizer };
  delete optimizer.lr;
  return optimizer as Omit<BaselineRun['optimizer'], 'lr'>;
}
