/**
 * The few ops whose fastest form depends on the backend. Measured on the wasm backend
 * (TF.js 4.22, XNNPACK, one thread): a matMul with a transposed operand falls off XNNPACK onto
 * a naive loop and runs ~10× slower, and `tanh` costs ~20× a `sigmoid` of the same size.
 * TF.js's own matMul gradient uses transposed operands, so on wasm we transpose explicitly
 * (a cheap copy) and multiply untransposed. Native backends keep the plain ops.
 */
import * as tf from '@tensorflow/tfjs';

/** Backends implemented in JS or wasm, where data movement and transcendental ops are slow. */
export function isPortableBackend(): boolean {
  const name = tf.getBackend();
  return name === 'wasm' || name === 'cpu';
}

/** Swaps the last two axes of a rank-2 or rank-3 tensor. */
function transposeLast<T extends tf.Tensor>(x: T): T {
  return tf.transpose(x, x.rank === 2 ? [1, 0] : [0, 2, 1]);
}

/** a·b whose gradient multiplies explicitly transposed copies, never transposed operands. */
const matMulPlainGrad = tf.customGrad(((...args: [tf.Tensor, tf.Tensor, tf.GradSaveFunc]) => {
  const [a, b, save] = args;
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [aSaved, bSaved] = saved as [tf.Tensor3D, tf.Tensor3D];
      return [
        tf.matMul(dy as tf.Tensor3D, transposeLast(bSaved)),
        tf.matMul(transposeLast(aSaved), dy as tf.Tensor3D),
      ];
    },
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * a [..., M, K] · b [..., K, N] → [..., M, N], rank 2 or 3 with equal batch sizes. On native
 * backends the same as `tf.matMul`; on wasm the same numbers with a faster gradient.
 */
export function matMul<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  return (isPortableBackend() ? matMulPlainGrad(a, b) : tf.matMul(a, b)) as T;
}

/**
 * tanh. On wasm and cpu as 2·σ(2x) − 1, equal in exact arithmetic; in float32 it differs by
 * at most ~1.2e-7 absolute (the spacing of floats near σ = 0.5), which is far below what the
 * optimizer's outputs resolve.
 */
export function tanh<T extends tf.Tensor>(x: T): T {
  if (!isPortableBackend()) return tf.tanh(x);
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
}
