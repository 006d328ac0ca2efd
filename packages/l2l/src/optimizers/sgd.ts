/**
 * SGD as PyTorch 1.13 computes it (no dampening, no weight decay), with optional momentum μ
 * and Nesterov's variant (the paper's NAG):
 *   buf ← μ·buf + g   (PyTorch sets buf = g on the first step; with buf₀ = 0 this is the same)
 *   direction = g + μ·buf (Nesterov) or buf (plain momentum) or g (μ = 0)
 *   θ ← θ − lr · direction
 */
import * as tf from '@tensorflow/tfjs';

import { type Rate, scaleByRate } from './rate.js';
import type { Optimizer } from './types.js';

export interface SgdState {
  readonly [key: string]: tf.Tensor | number;
  /** [P, n] momentum buffer (zeros and unused when μ = 0). */
  readonly buf: tf.Tensor2D;
}

export function sgd(lr: Rate, momentum: number, nesterov: boolean): Optimizer<SgdState> {
  return {
    init: (theta) => ({ buf: tf.zerosLike(theta) }),
    update: (grad, state) =>
      tf.tidy(() => {
        if (momentum === 0) {
          return { update: scaleByRate(grad, lr, (rate) => -rate), state };
        }
        const buf = tf.add(tf.mul(state.buf, momentum), grad) as tf.Tensor2D;
        const direction = nesterov ? tf.add(grad, tf.mul(buf, momentum)) : buf;
        return {
          update: scaleByRate(direction as tf.Tensor2D, lr, (rate) => -rate),
          state: { buf },
        };
      }),
  };
}
