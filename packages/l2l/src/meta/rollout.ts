/**
 * One meta-training roll-out: fresh problems optimized for `steps` steps by the LSTM, φ
 * updated by Adam after every truncation of `unroll` steps, θ and the LSTM states carried
 * across truncations but cut from the graph (see truncation.ts for L).
 */
import * as tf from '@tensorflow/tfjs';

import { dispose, tidy } from '../backend/scope.js';
import type { LstmConfig } from '../learned/config.js';
import type { TaskInstance } from '../tasks/types.js';
import { hostTruncation, initialHostCarry } from './host-truncation.js';
import { type Learner, metaAdamStep } from './meta-adam.js';
import { type Carry, type Truncation, truncation } from './truncation.js';

export interface RolloutResult {
  /** Σ L over the truncations done, and their count. */
  readonly metaLossSum: number;
  readonly truncations: number;
  /** The first step whose loss (or meta-gradient) was not finite; φ was not updated then. */
  readonly divergedAtStep: number | null;
}

/**
 * Problems of at most this many coordinates, when their task offers host versions, are
 * meta-trained on the host (host-truncation.ts): below it TF.js's per-op cost dominates.
 * Chosen per problem, never per batch, so a problem's numbers do not depend on its batch.
 */
export const HOST_MAX_COORDS = 100;

/** One truncation's outcome, whichever engine computed it. */
interface Step {
  readonly metaLoss: number;
  /** ∂L/∂φ [nφ]. */
  readonly grad: ArrayLike<number>;
  /** f_p(θ_t), [U, P] row-major. */
  readonly losses: ArrayLike<number>;
}

/** Runs the truncations of one roll-out in order, carrying θ and the LSTM state. */
interface Truncator {
  next(phi: Float32Array, unroll: number): Step;
  dispose(): void;
}

export function trainRollout(
  learner: Learner,
  metaLr: number,
  config: LstmConfig,
  instance: TaskInstance,
  steps: number,
  unroll: number,
): RolloutResult {
  const truncator =
    instance.host && instance.nCoords <= HOST_MAX_COORDS
      ? hostTruncator(config, instance)
      : tensorTruncator(config, instance);
  let metaLossSum = 0;
  let truncations = 0;
  try {
    for (let start = 0; start < steps; start += unroll) {
      const step = truncator.next(learner.phi, Math.min(unroll, steps - start));
      const badRow = firstNonFiniteRow(step.losses, instance.problems);
      if (badRow !== null || !Number.isFinite(step.metaLoss) || !allFinite(step.grad)) {
        return { metaLossSum, truncations, divergedAtStep: start + (badRow ?? 0) };
      }

      metaAdamStep(learner, step.grad, metaLr);
      metaLossSum += step.metaLoss;
      truncations += 1;
    }
    return { metaLossSum, truncations, divergedAtStep: null };
  } finally {
    truncator.dispose();
  }
}

function tensorTruncator(config: LstmConfig, instance: TaskInstance): Truncator {
  let carry = initialCarry(instance, config.hiddenSize);
  return {
    next: (phi, unroll) => {
      const batches = Array.from({ length: unroll }, () => instance.nextBatch());
      const phiTensor = tf.tensor2d(phi, [1, phi.length]);
      let result: Truncation;
      try {
        result = tidy(() => truncation(phiTensor, config, instance, carry, batches));
      } finally {
        dispose([batches, phiTensor]);
      }
      dispose(carry);
      carry = result.carry;
      const step = {
        metaLoss: result.metaLoss.dataSync()[0]!,
        grad: result.grad.dataSync(),
        losses: result.losses.dataSync(),
      };
      tf.dispose([result.metaLoss, result.losses, result.grad]);
      return step;
    },
    dispose: () => dispose(carry),
  };
}

function hostTruncator(config: LstmConfig, instance: TaskInstance): Truncator {
  const host = instance.host!;
  const carry = initialHostCarry(host, instance.problems * instance.nCoords, config.hiddenSize);
  return {
    next: (phi, unroll) => hostTruncation(phi, config, host, instance, carry, unroll),
    dispose: () => {},
  };
}

function initialCarry(instance: TaskInstance, hidden: number): Carry {
  const rows = instance.problems * instance.nCoords;
  const zeros = (): tf.Tensor2D => tf.zeros([rows, hidden]);
  return {
    theta: instance.initialTheta(),
    state: { h0: zeros(), c0: zeros(), h1: zeros(), c1: zeros() },
  };
}

function allFinite(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i += 1) if (!Number.isFinite(values[i]!)) return false;
  return true;
}

/** losses [U, P] → the first row with a non-finite value, or null. */
function firstNonFiniteRow(losses: ArrayLike<number>, problems: number): number | null {
  for (let i = 0; i < losses.length; i += 1) {
    if (!Number.isFinite(losses[i]!)) return Math.floor(i / problems);
  }
  return null;
}
