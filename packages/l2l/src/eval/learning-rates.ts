/**
 * A classic optimizer over a grid of learning rates, as one batched computation: each rate
 * gets its own copy of the test problems, rows of one θ [L·P, n], and its own learning rate
 * per row (optimizers/rate.ts). Every rate's loss matrix is bit-identical to
 * `evaluateOptimizer` with that rate alone; the grid costs about as much as one rate does,
 * where each rate run apart pays the per-op cost of every step again.
 *
 * That holds for small problems, where per-op costs dominate. A grid too large for one batch
 * (MAX_BATCH_COORDS) runs rate by rate instead, each in the bounded batches of its own run:
 * on wasm the cost per MNIST net-step grows with the batch (6 ms at 16 nets, 13 ms at 64,
 * ~90 ms at 220, the paper's 11 rates × 20 nets), so one batch of the whole grid took 15× as
 * long as its rates one after another.
 */
import type { DatasetSplit } from '@metaopt/datasets';

import { classicWithRate } from '../optimizers/classic.js';
import type { ClassicConfig } from '../optimizers/types.js';
import { problemSeeds } from '../random.js';
import { prepareTask } from '../tasks/task.js';
import type { Task, TaskConfig } from '../tasks/types.js';
import {
  type EvaluateOptions,
  MAX_BATCH_COORDS,
  evaluateOnTask,
  validateRollout,
} from './evaluate.js';
import type { LossMatrix } from './loss-matrix.js';
import { type RunHooks, hooksOfPart, runOptimizer } from './run-optimizer.js';
import { invalidConfig } from '../errors.js';

/** One loss matrix per learning rate, in the order of `lrs`. */
export async function evaluateLearningRates(
  taskConfig: TaskConfig,
  optimizer: Omit<ClassicConfig, 'lr'>,
  lrs: readonly number[],
  options: EvaluateOptions,
  data?: DatasetSplit,
  hooks: RunHooks = {},
  maxBatchCoords = MAX_BATCH_COORDS,
): Promise<LossMatrix[]> {
  validateRollout(options.steps, options.nTests);
  if (lrs.length === 0) throw invalidConfig('a learning-rate grid needs at least one rate');
  const seeds = problemSeeds(options.seed, options.nTests);
  const task = prepareTask(taskConfig, data);
  try {
    const gridCoords = lrs.length * seeds.length * task.nCoords;
    return gridCoords <= maxBatchCoords
      ? await gridAsOneBatch(task, optimizer, lrs, seeds, options.steps, hooks)
      : await gridRateByRate(task, optimizer, lrs, seeds, options.steps, hooks, maxBatchCoords);
  } finally {
    task.dispose();
  }
}

async function gridAsOneBatch(
  task: Task,
  optimizer: Omit<ClassicConfig, 'lr'>,
  lrs: readonly number[],
  seeds: readonly number[],
  steps: number,
  hooks: RunHooks,
): Promise<LossMatrix[]> {
  const P = seeds.length;
  const rates = Float64Array.from(
    { length: lrs.length * P },
    (_, row) => lrs[Math.floor(row / P)]!,
  );
  const instance = task.instance(
    lrs.flatMap(() => seeds),
    'test',
  );
  try {
    const all = await runOptimizer(instance, classicWithRate(optimizer, rates), steps, hooks);
    return lrs.map((_, group) => groupOf(all, group * P, P));
  } finally {
    instance.dispose();
  }
}

/** Each rate as its own run would be computed; rates not reached after a stop hold NaN. */
async function gridRateByRate(
  task: Task,
  optimizer: Omit<ClassicConfig, 'lr'>,
  lrs: readonly number[],
  seeds: readonly number[],
  steps: number,
  hooks: RunHooks,
  maxBatchCoords: number,
): Promise<LossMatrix[]> {
  const matrices: LossMatrix[] = [];
  for (const [group, lr] of lrs.entries()) {
    const config: ClassicConfig = { ...optimizer, lr };
    const partHooks = hooksOfPart(hooks, group, lrs.length);
    matrices.push(await evaluateOnTask(task, config, seeds, steps, partHooks, maxBatchCoords));
    if ((await hooks.shouldStop?.()) === true) break;
  }
  const notRun = (): LossMatrix => ({
    problems: seeds.length,
    steps,
    losses: new Float32Array(seeds.length * steps).fill(Number.NaN),
    divergedAtStep: null,
  });
  return lrs.map((_, group) => matrices[group] ?? notRun());
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
