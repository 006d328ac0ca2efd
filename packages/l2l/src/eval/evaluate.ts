/**
 * Evaluation: an optimizer, classic or learned, on `nTests` problems drawn from `seed`, all
 * run as one batched computation. The same task and seed give the same problems (and, for
 * MNIST, the same minibatches) whatever the optimizer, so contenders are compared on
 * identical problems.
 */
import type { DatasetSplit } from '@metaopt/datasets';

import { dispose, tidy } from '../backend/scope.js';
import { L2lError, L2lErrorCode, invalidConfig } from '../errors.js';
import { type LstmConfig, lstmInputSize, validateLstmConfig } from '../learned/config.js';
import { lstmOptimizer, lstmParams, phiTensor } from '../learned/lstm-optimizer.js';
import type { LstmWeights } from '../learned/weights.js';
import { classicOptimizer } from '../optimizers/classic.js';
import type { ClassicConfig } from '../optimizers/types.js';
import { problemSeeds } from '../random.js';
import { prepareTask } from '../tasks/task.js';
import type { Task, TaskConfig } from '../tasks/types.js';
import type { LossMatrix } from './loss-matrix.js';
import { type RunHooks, hooksOfPart, runOptimizer } from './run-optimizer.js';

export type EvaluatedOptimizer =
  ClassicConfig | { readonly learned: LstmConfig; readonly weights: LstmWeights };

export interface EvaluateOptions {
  /** Optimization steps per problem. */
  readonly steps: number;
  /** Number of test problems, evaluated as one batch. */
  readonly nTests: number;
  /** Seed of the test problems. */
  readonly seed: number;
}

export type EvaluateHooks = RunHooks;

export async function evaluateOptimizer(
  taskConfig: TaskConfig,
  optimizer: EvaluatedOptimizer,
  options: EvaluateOptions,
  data?: DatasetSplit,
  hooks: EvaluateHooks = {},
): Promise<LossMatrix> {
  validateRollout(options.steps, options.nTests);
  const task = prepareTask(taskConfig, data);
  try {
    const seeds = problemSeeds(options.seed, options.nTests);
    return await evaluateOnTask(task, optimizer, seeds, options.steps, hooks);
  } finally {
    task.dispose();
  }
}

/**
 * Coordinates (problems × coordinates per problem) evaluated as one batch at most. A step of
 * the LSTM keeps ~60 tensors of [coordinates, 20] alive, and the wasm heap cannot grow past
 * 4 GB: 100 MNIST nets at once (1.6 M coordinates) abort. Larger evaluations run as several
 * batches in turn; a problem's numbers do not depend on which batch it is in.
 */
export const MAX_BATCH_COORDS = 2 ** 18;

/** Evaluation on explicit problem seeds of a prepared task (the `test` split). */
export async function evaluateOnTask(
  task: Task,
  optimizer: EvaluatedOptimizer,
  seeds: readonly number[],
  steps: number,
  hooks: RunHooks = {},
  maxBatchCoords = MAX_BATCH_COORDS,
): Promise<LossMatrix> {
  const perBatch = Math.max(1, Math.floor(maxBatchCoords / task.nCoords));
  if (seeds.length <= perBatch) return evaluateBatch(task, optimizer, seeds, steps, hooks);
  const parts: LossMatrix[] = [];
  const batches = Math.ceil(seeds.length / perBatch);
  for (let b = 0; b < batches; b += 1) {
    const part = await evaluateBatch(
      task,
      optimizer,
      seeds.slice(b * perBatch, (b + 1) * perBatch),
      steps,
      hooksOfPart(hooks, b, batches),
    );
    parts.push(part);
    if ((await hooks.shouldStop?.()) === true) break;
  }
  return joinLossMatrices(parts, seeds.length, steps);
}

/** Batches of problems' losses, in order, as one matrix; problems never run hold NaN. */
function joinLossMatrices(parts: readonly LossMatrix[], problems: number, steps: number) {
  const losses = new Float32Array(problems * steps).fill(Number.NaN);
  let offset = 0;
  let divergedAtStep: number | null = null;
  for (const part of parts) {
    losses.set(part.losses, offset);
    offset += part.losses.length;
    if (part.divergedAtStep !== null) {
      divergedAtStep = Math.min(divergedAtStep ?? Infinity, part.divergedAtStep);
    }
  }
  return { problems, steps, losses, divergedAtStep };
}

async function evaluateBatch(
  task: Task,
  optimizer: EvaluatedOptimizer,
  seeds: readonly number[],
  steps: number,
  hooks: RunHooks,
): Promise<LossMatrix> {
  const instance = task.instance(seeds, 'test');
  if ('learned' in optimizer) {
    checkWeightsFit(optimizer.learned, optimizer.weights);
    const phi = phiTensor(optimizer.weights);
    const params = tidy(() => lstmParams(phi, optimizer.learned, instance.nCoords));
    try {
      return await runOptimizer(instance, lstmOptimizer(optimizer.learned, params), steps, hooks);
    } finally {
      dispose([phi, params]);
      instance.dispose();
    }
  }
  try {
    return await runOptimizer(instance, classicOptimizer(optimizer), steps, hooks);
  } finally {
    instance.dispose();
  }
}

export function checkWeightsFit(config: LstmConfig, weights: LstmWeights): void {
  validateLstmConfig(config);
  if (weights.inputSize !== lstmInputSize(config) || weights.hiddenSize !== config.hiddenSize) {
    throw new L2lError(
      L2lErrorCode.INVALID_WEIGHTS,
      `weights are for input ${weights.inputSize}, hidden ${weights.hiddenSize}; the config ` +
        `needs input ${lstmInputSize(config)}, hidden ${config.hiddenSize}`,
    );
  }
}

export function validateRollout(steps: number, problems: number): void {
  if (!Number.isInteger(steps) || steps < 1) throw invalidConfig(`steps must be ≥ 1: ${steps}`);
  if (!Number.isInteger(problems) || problems < 1) {
    throw invalidConfig(`the number of problems must be ≥ 1: ${problems}`);
  }
}
