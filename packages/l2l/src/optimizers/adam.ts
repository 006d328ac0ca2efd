/**
 * Adam as PyTorch 1.13 computes it (torch.optim.Adam, amsgrad off, no weight decay):
 *   t ← t + 1;  m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²
 *   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 * ε is added after the bias correction of √v, which matters while v is small.
 */
import * as tf from '@tensorflow/tfjs';

import { type Rate, scaleByRate } from './rate.js';
import type { Optimizer } from './types.js';

export interface AdamState {
  readonly [key: string]: tf.Tensor | number;
  readonly t: number;
  /** [P, n] first-moment estimate. */
  readonly m: tf.Tensor2D;
  /** [P, n] second-moment estimate. */
  readonly v: tf.Tensor2D;
}

export interface AdamHyper {
  readonly lr: Rate;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
}

export function adam({ lr, beta1, beta2, eps }: AdamHyper): Optimizer<AdamState> {
  return {
    init: (theta) => ({ t: 0, m: tf.zerosLike(theta), v: tf.zerosLike(theta) }),
    update: (grad, state) =>
      tf.tidy(() => {
        const t = state.t + 1;
        const m = tf.add(tf.mul(state.m, beta1), tf.mul(grad, 1 - beta1)) as tf.Tensor2D;
        const v = tf.add(tf.mul(state.v, beta2), tf.mul(tf.square(grad), 1 - beta2)) as tf.Tensor2D;
        const denom = tf.add(tf.div(tf.sqrt(v), Math.sqrt(1 - beta2 ** t)), eps);
        const update = scaleByRate(tf.div(m, denom), lr, (rate) => -rate / (1 - beta1 ** t));
        return { update, state: { t, m, v } };
      }),
  };
}
