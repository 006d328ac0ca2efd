/**
 * One LSTM cell applied to every coordinate at once, rows = coordinates (N = P·n):
 *   gates = x·W_ihᵀ + b_ih + h·W_hhᵀ + b_hh, split [i, f, g, o] (PyTorch's order)
 *   c' = σ(f)⊙c + σ(i)⊙tanh(g);   h' = σ(o)⊙tanh(c')
 * Two layouts of the same weights, prepared once per truncation. `fused` does one gate matMul
 * on [x, h] and splits the result: the fewest kernels (13 per cell), best wherever a kernel's
 * fixed cost dominates: native backends, and small problems anywhere. `perGate` does two
 * small matMuls per gate and tanh as 2σ(2x) − 1 (31 kernels), but never concatenates or
 * slices: on wasm, concat and slice are row-by-row JS copies and tanh is ~20× a sigmoid,
 * which at MNIST's 15,910 coordinates cost more than all the matMuls.
 */
import * as tf from '@tensorflow/tfjs';

import { isPortableBackend, matMul, wideTanh } from '../backend/kernels.js';

export type CellLayout = 'fused' | 'perGate';

export type CellParams =
  | {
      readonly layout: 'fused';
      /** [in + H, 4H]: W_ihᵀ stacked over W_hhᵀ. */
      readonly w: tf.Tensor2D;
      /** [4H]: b_ih + b_hh. */
      readonly b: tf.Tensor1D;
    }
  | {
      readonly layout: 'perGate';
      /** Per gate i, f, g, o: [in, H]. */
      readonly wx: readonly tf.Tensor2D[];
      /** Per gate: [H, H]. */
      readonly wh: readonly tf.Tensor2D[];
      /** Per gate: [H]. */
      readonly b: readonly tf.Tensor1D[];
    };

/**
 * Coordinates per problem above which wasm and cpu switch to `perGate`. Chosen per problem,
 * not per batch, so that how many problems share a batch never changes any problem's numbers.
 */
export const PER_GATE_MIN_COORDS = 1000;

export function defaultCellLayout(coordsPerProblem: number): CellLayout {
  return isPortableBackend() && coordsPerProblem > PER_GATE_MIN_COORDS ? 'perGate' : 'fused';
}

/** weightIh [4H, in], weightHh [4H, H], biasIh and biasHh [4H], as PyTorch stores them. */
export function prepareCell(
  layout: CellLayout,
  weightIh: tf.Tensor2D,
  weightHh: tf.Tensor2D,
  biasIh: tf.Tensor1D,
  biasHh: tf.Tensor1D,
): CellParams {
  const b = tf.add(biasIh, biasHh) as tf.Tensor1D;
  if (layout === 'fused') {
    const w = tf.concat([tf.transpose(weightIh), tf.transpose(weightHh)], 0);
    return { layout, w, b };
  }
  return {
    layout,
    wx: tf.split(weightIh, 4, 0).map((rows) => tf.transpose(rows) as tf.Tensor2D),
    wh: tf.split(weightHh, 4, 0).map((rows) => tf.transpose(rows) as tf.Tensor2D),
    b: tf.split(b, 4, 0),
  };
}

/** x [N, in], h and c [N, H] → the next h and c [N, H]. */
export function cellStep(
  params: CellParams,
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  c: tf.Tensor2D,
): { h: tf.Tensor2D; c: tf.Tensor2D } {
  const [i, f, g, o] = gates(params, x, h) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
  const tanh = params.layout === 'perGate' ? wideTanh : tf.tanh;
  const cNext = tf.add(tf.mul(tf.sigmoid(f), c), tf.mul(tf.sigmoid(i), tanh(g))) as tf.Tensor2D;
  const hNext = tf.mul(tf.sigmoid(o), tanh(cNext)) as tf.Tensor2D;
  return { h: hNext, c: cNext };
}

/** The four gate pre-activations [N, H], in order i, f, g, o. */
function gates(params: CellParams, x: tf.Tensor2D, h: tf.Tensor2D): tf.Tensor2D[] {
  if (params.layout === 'fused') {
    const all = tf.add(matMul(tf.concat([x, h], 1), params.w), params.b) as tf.Tensor2D;
    return tf.split(all, 4, 1);
  }
  return params.b.map(
    (b, k) => tf.add(tf.add(matMul(x, params.wx[k]!), matMul(h, params.wh[k]!)), b) as tf.Tensor2D,
  );
}
