/**
 * One meta-training roll-out: fresh problems optimized for `steps` steps by the LSTM, φ
 * updated by Adam after every truncation of `unroll` steps, θ and the LSTM states carried
 * across truncations but cut from the graph (see truncation.ts for L).
 */
import * as tf from '@tensorflow/tfjs';

import { dispose, tidy } from '../backend/scope.js';
import type { LstmConfig } from '../learned/config.js';
import type { AdamState } from '../optimizers/adam.js';
import type { Optimizer } from '../optimizers/types.js';
import type { TaskInstance } from '../tasks/types.js';
import { type Carry, type Truncation, truncation } from './truncation.js';

/** The trained weights and their optimizer's state, replaced after every meta-step. */
export interface Learner {
  /** φ [1, nφ]. */
  phi: tf.Tensor2D;
  /** Adam on φ: m and v [1, nφ]. */
  adam: AdamState;
}

export interface RolloutResult {
  /** Σ L over the truncations done, and their count. */
  readonly metaLossSum: number;
  readonly truncations: number;
  /** The first step whose loss (or meta-gradient) was not finite; φ was not updated then. */
  readonly divergedAtStep: number | null;
}

export function trainRollout(
  learner: Learner,
  metaOptimizer: Optimizer<AdamState>,
  config: LstmConfig,
  instance: TaskInstance,
  steps: number,
  unroll: number,
): RolloutResult {
  let carry = initialCarry(instance, config.hiddenSize);
  let metaLossSum = 0;
  let truncations = 0;
  try {
    for (let start = 0; start < steps; start += unroll) {
      const batches = Array.from({ length: Math.min(unroll, steps - start) }, () =>
        instance.nextBatch(),
      );
      let result: Truncation;
      try {
        result = tidy(() => truncation(learner.phi, config, instance, carry, batches));
      } finally {
        dispose(batches);
      }
      dispose(carry);
      carry = result.carry;

      const metaLoss = result.metaLoss.dataSync()[0]!;
      const badRow = firstNonFiniteRow(result.losses);
      const gradFinite = Number.isFinite(tf.tidy(() => tf.sum(result.grad).dataSync()[0]!));
      if (badRow !== null || !Number.isFinite(metaLoss) || !gradFinite) {
        tf.dispose([result.metaLoss, result.grad, result.losses]);
        return { metaLossSum, truncations, divergedAtStep: start + (badRow ?? 0) };
      }

      applyMetaStep(learner, metaOptimizer, result.grad);
      tf.dispose([result.metaLoss, result.grad, result.losses]);
      metaLossSum += metaLoss;
      truncations += 1;
    }
    return { metaLossSum, truncations, divergedAtStep: null };
  } finally {
    dispose(carry);
  }
}

// grad [1, nφ]
function applyMetaStep(
  learner: Learner,
  metaOptimizer: Optimizer<AdamState>,
  grad: tf.Tensor2D,
): void {
  const next = tf.tidy(() => {
    const step = metaOptimizer.update(grad, learner.adam);
    return { phi: tf.add(learner.phi, step.update) as tf.Tensor2D, adam: step.state };
  });
  tf.dispose([learner.phi, learner.adam]);
  learner.phi = next.phi;
  learner.adam = next.adam;
}

function initialCarry(instance: TaskInstance, hidden: number): Carry {
  const rows = instance.problems * instance.nCoords;
  const zeros = (): tf.Tensor2D => tf.zeros([rows, hidden]);
  return {
    theta: instance.initialTheta(),
    state: { h0: zeros(), c0: zeros(), h1: zeros(), c1: zeros() },
  };
}

/** losses [U, P] → the first row with a non-finite value, or null. */
function firstNonFiniteRow(losses: tf.Tensor2D): number | null {
  const [, problems] = losses.shape;
  const values = losses.dataSync();
  const index = values.findIndex((v) => !Number.isFinite(v));
  return index < 0 ? null : Math.floor(index / problems);
}
