/**
 * RMSprop as PyTorch 1.13 computes it (not centered, no momentum, no weight decay):
 *   v ← αv + (1 − α)g²;  θ ← θ − lr · g / (√v + ε)      (no bias correction)
 */
import * as tf from '@tensorflow/tfjs';

import { type Rate, scaleByRate } from './rate.js';
import type { Optimizer } from './types.js';

export interface RmspropState {
  readonly [key: string]: tf.Tensor | number;
  /** [P, n] running mean of g². */
  readonly v: tf.Tensor2D;
}

export function rmsprop(lr: Rate, alpha: number, eps: number): Optimizer<RmspropState> {
  return {
    init: (theta) => ({ v: tf.zerosLike(theta) }),
    update: (grad, state) =>
      tf.tidy(() => {
        const v = tf.add(tf.mul(state.v, alpha), tf.mul(tf.square(grad), 1 - alpha)) as tf.Tensor2D;
        const update = scaleByRate(tf.div(grad, tf.add(tf.sqrt(v), eps)), lr, (rate) => -rate);
        return { update, state: { v } };
      }),
  };
}
