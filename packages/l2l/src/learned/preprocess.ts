/**
 * The paper's gradient preprocessing (Appendix A, p = 10), as the reference computes it:
 *   |g| ≥ e^{-p}:  (log(|g| + 1e-8) / p,  sign g)
 *   otherwise:     (−1,  e^{p} · g)
 * Gradients are inputs of the optimizer (no gradient flows through them), so the branches
 * need no care for differentiability.
 */
import * as tf from '@tensorflow/tfjs';

import { PREPROCESS_FACTOR } from './config.js';

/** g [N, 1] → inputs [N, 2]. */
export function preprocessGrad(g: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const p = PREPROCESS_FACTOR;
    // Rows as [1, N] so the two features stack along axis 0, a contiguous copy; the one
    // transpose to [N, 2] is cheaper than interleaving columns on the wasm backend.
    const row = tf.reshape(g, [1, -1]);
    const magnitude = tf.abs(row);
    const keep = tf.greaterEqual(magnitude, Math.exp(-p));
    const logPart = tf.where(
      keep,
      tf.div(tf.log(tf.add(magnitude, 1e-8)), p),
      tf.fill(row.shape, -1),
    );
    const signPart = tf.where(keep, tf.sign(row), tf.mul(row, Math.exp(p)));
    return tf.transpose(tf.concat([logPart, signPart], 0)) as tf.Tensor2D;
  });
}
