/**
 * A classic optimizer over a grid of learning rates, as one batched computation: each rate
 * gets its own copy of the test problems, rows of one θ [L·P, n], and its own learning rate
 * per row (optimizers/rate.ts). Every rate's loss matrix is bit-identical to
 * `evaluateOptimizer` with that rate alone; the grid costs about as much as one rate does,
 * where each rate run apart pays the per-op cost of every step again.
 */
import type { DatasetSplit } from '@metaopt/datasets';

import { classicWithRate } from '../optimizers/classic.js';
import type { ClassicConfig } from '../optimizers/types.js';
import { problemSeeds } from '../random.js';
import { prepareTask } from '../tasks/task.js';
import type { TaskConfig } from '../tasks/types.js';
import { type EvaluateOptions, validateRollout } from './evaluate.js';
import type { LossMatrix } from './loss-matrix.js';
import { type RunHooks, runOptimizer } from './run-optimizer.js';
import { invalidConfig } from '../errors.js';

/** One loss matrix per learning rate, in the order of `lrs`. */
export async function evaluateLearningRates(
  taskConfig: TaskConfig,
  optimizer: Omit<ClassicConfig, 'lr'>,
  lrs: readonly number[],
  options: EvaluateOptions,
  data?: DatasetSplit,
  hooks: RunHooks = {},
): Promise<LossMatrix[]> {
  validateRollout(options.steps, options.nTests);
  if (lrs.length === 0) throw invalidConfig('a learning-rate grid needs at least one rate');
  const P = options.nTests;
  const seeds = problemSeeds(options.seed, P);
  const rates = Float64Array.from(
    { length: lrs.length * P },
    (_, row) => lrs[Math.floor(row / P)]!,
  );
  const task = prepareTask(taskConfig, data);
  const instance = task.instance(
    lrs.flatMap(() => seeds),
    'test',
  );
  try {
    const all = await runOptimizer(
      instance,
      classicWithRate(optimizer, rates),
      options.steps,
      hooks,
    );
    return lrs.map((_, group) => groupOf(all, group * P, P));
  } finally {
    instance.dispose();
    task.dispose();
  }
}

/**
 * Problems [first, first + P) of a batched run, as their own run would have recorded them:
 * runOptimizer stops a run once every problem has diverged, leaving the later steps NaN, so
 * the same steps of a group whose problems have all diverged are set to NaN here.
 */
function groupOf(all: LossMatrix, first: number, P: number): LossMatrix {
  const { steps } = all;
  const losses = all.losses.slice(first * steps, (first + P) * steps);
  const diverged = new Uint8Array(P);
  let divergedAtStep: number | null = null;
  for (let t = 0; t < steps; t += 1) {
    let count = 0;
    for (let p = 0; p < P; p += 1) {
      if (!Number.isFinite(losses[p * steps + t]!)) diverged[p] = 1;
      count += diverged[p]!;
    }
    if (count > 0 && divergedAtStep === null) divergedAtStep = t;
    if (count === P) {
      for (let p = 0; p < P; p += 1) losses.fill(Number.NaN, p * steps + t + 1, (p + 1) * steps);
      break;
    }
  }
  return { problems: P, steps, losses, divergedAtStep };
}
