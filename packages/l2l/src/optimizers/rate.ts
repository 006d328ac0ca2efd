/**
 * A learning rate: one for every problem, or one per problem (row of θ), so that a grid of
 * learning rates runs as one batch of problems. A per-row factor is computed in float64
 * exactly as the scalar one and rounded to float32 as TF.js rounds a scalar, so each row's
 * numbers are bit-identical to that learning rate run alone.
 */
import * as tf from '@tensorflow/tfjs';

export type Rate = number | Float64Array;

/** x [R, n] · factor(lr), per row when lr is per row. */
export function scaleByRate(x: tf.Tensor2D, lr: Rate, factor: (lr: number) => number): tf.Tensor2D {
  if (typeof lr === 'number') return tf.mul(x, factor(lr));
  const column = Float32Array.from(lr, factor);
  return tf.mul(x, tf.tensor2d(column, [column.length, 1]));
}

/** The rate of row r, for validation and messages. */
export function ratesOf(lr: Rate): readonly number[] {
  return typeof lr === 'number' ? [lr] : Array.from(lr);
}
