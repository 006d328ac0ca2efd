/**
 * The few ops whose fastest form depends on the backend. Measured on the wasm backend
 * (TF.js 4.22, XNNPACK, one thread): an unbatched matMul with a transposed operand falls off
 * XNNPACK onto a plain loop and runs ~10× slower, and `tanh` costs ~20× a `sigmoid` of the same
 * size. TF.js's own matMul gradient uses transposed operands, so on wasm we transpose
 * explicitly (a cheap copy) and multiply untransposed. Native backends keep the plain ops.
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

/** Several products at once (rank 3, batch > 1): on wasm never on XNNPACK's path. */
function isBatched(x: tf.Tensor): boolean {
  return x.rank === 3 && x.shape[0]! > 1;
}

/**
 * Multiply-adds per problem from which a batched product is worth splitting into single ones
 * (see perProblem): an MNIST net's first layer (128·784·20) is far above, a quadratic's
 * W·θ (10·10·1) far below, where a thousand tiny products would cost more than the loop.
 * Decided by each problem's shape alone, never by the batch size.
 */
const PER_PROBLEM_MIN_MACS = 2 ** 16;

function splitsPerProblem(a: tf.Tensor, b: tf.Tensor): boolean {
  if (!isPortableBackend() || !isBatched(a)) return false;
  const [, m, k] = a.shape as [number, number, number];
  return m * k * b.shape[b.rank - 1]! >= PER_PROBLEM_MIN_MACS;
}

/**
 * op(a)·op(b), op = transpose when asked. On wasm only a single (unbatched) product runs on
 * XNNPACK, and only untransposed: there we transpose explicitly; a batched product runs a
 * plain loop either way, which takes transposed operands at no extra cost.
 */
function product(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): tf.Tensor {
  if (isBatched(a)) return tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D, transposeA, transposeB);
  const left = transposeA ? transposeLast(a) : a;
  const right = transposeB ? transposeLast(b) : b;
  return tf.matMul(left as tf.Tensor3D, right as tf.Tensor3D);
}

/** a·b whose gradient never multiplies a transposed operand on XNNPACK's path. */
const matMulWasmGrad = tf.customGrad(((...args: [tf.Tensor, tf.Tensor, tf.GradSaveFunc]) => {
  const [a, b, save] = args;
  save([a, b]);
  return {
    value: tf.matMul(a as tf.Tensor3D, b as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      product(dy, saved[1]!, false, true),
      product(saved[0]!, dy, true, false),
    ],
  };
}) as Parameters<typeof tf.customGrad>[0]);

/** data·w whose gradient is taken for w only: data's is never wanted, so zeros stand in. */
const matMulOfDataGrad = tf.customGrad(((...args: [tf.Tensor, tf.Tensor, tf.GradSaveFunc]) => {
  const [data, w, save] = args;
  save([data]);
  return {
    value: tf.matMul(data as tf.Tensor3D, w as tf.Tensor3D),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [
      tf.zerosLike(saved[0]!),
      isPortableBackend()
        ? product(saved[0]!, dy, true, false)
        : tf.matMul(saved[0] as tf.Tensor3D, dy as tf.Tensor3D, true, false),
    ],
  };
}) as Parameters<typeof tf.customGrad>[0]);

/**
 * a [..., M, K] · b [..., K, N] → [..., M, N], rank 2 or 3 with equal batch sizes. On native
 * backends the same as `tf.matMul`; on wasm and cpu the same numbers with a faster gradient.
 */
export function matMul<T extends tf.Tensor2D | tf.Tensor3D>(a: T, b: T): T {
  if (splitsPerProblem(a, b)) return perProblem(a, b, matMul);
  // TF.js's own gradient computes only the operands' gradients that are needed (a custom
  // one computes both), so it is kept wherever transposes cost nothing extra.
  const ownGrad = isPortableBackend() && !isBatched(a);
  return (ownGrad ? matMulWasmGrad(a, b) : tf.matMul(a, b)) as T;
}

/**
 * data [..., M, K] · w [..., K, N] where data is an input (images), never differentiated:
 * skips the gradient with respect to data, the costliest product of an MLP's first layer.
 */
export function matMulOfData<T extends tf.Tensor2D | tf.Tensor3D>(data: T, w: T): T {
  if (splitsPerProblem(data, w)) return perProblem(data, w, matMulOfData);
  return matMulOfDataGrad(data, w) as T;
}

/**
 * A batched product as one unbatched product per problem: on wasm a batched product runs a
 * plain loop, ~10× slower than XNNPACK's single products (measured on [20, 128, 784]·
 * [20, 784, 20]). Unstacking and stacking along the batch axis are contiguous copies, and
 * each problem's numbers are those of the same problem computed alone.
 */
function perProblem<T extends tf.Tensor2D | tf.Tensor3D>(
  a: T,
  b: T,
  product: (x: tf.Tensor2D, y: tf.Tensor2D) => tf.Tensor2D,
): T {
  const bs = tf.unstack(b) as tf.Tensor2D[];
  return tf.stack((tf.unstack(a) as tf.Tensor2D[]).map((ai, i) => product(ai, bs[i]!))) as T;
}

/**
 * tanh for large tensors. On wasm and cpu as 2·σ(2x) − 1: four cheap kernels instead of one
 * slow one, equal in exact arithmetic; in float32 it differs by at most ~1.2e-7 absolute (the
 * spacing of floats near σ = 0.5), far below what the optimizer's outputs resolve.
 */
export function wideTanh<T extends tf.Tensor>(x: T): T {
  if (!isPortableBackend()) return tf.tanh(x);
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1);
}
