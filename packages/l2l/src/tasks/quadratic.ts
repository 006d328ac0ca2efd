/**
 * The paper's quadratic: f(θ) = ‖Wθ − y‖², θ ∈ R^d, θ₀ = 0, W [d, d] and y [d] standard
 * normal per problem (Andrychowicz et al. 2016, section 3.1).
 */
import * as tf from '@tensorflow/tfjs';

import { matMul } from '../backend/kernels.js';
import { invalidConfig } from '../errors.js';
import { Random } from '../random.js';
import type { HostProblems, QuadraticTaskConfig, Task, TaskInstance } from './types.js';

const DEFAULT_DIM = 10;

export function quadraticTask(config: QuadraticTaskConfig): Task {
  const explicit = explicitProblem(config);
  const dim = explicit ? explicit.y.length : (config.dim ?? DEFAULT_DIM);
  if (!Number.isInteger(dim) || dim < 1) throw invalidConfig(`quadratic dim must be ≥ 1: ${dim}`);
  return {
    nCoords: dim,
    instance: (seeds) => quadraticInstance(dim, seeds, explicit),
    dispose: () => {},
  };
}

function quadraticInstance(
  dim: number,
  seeds: readonly number[],
  explicit: { W: Float32Array; y: Float32Array } | null,
): TaskInstance {
  const problems = seeds.length;
  const W = new Float32Array(problems * dim * dim);
  const y = new Float32Array(problems * dim);
  seeds.forEach((seed, p) => {
    if (explicit) {
      W.set(explicit.W, p * dim * dim);
      y.set(explicit.y, p * dim);
      return;
    }
    const random = Random.fromSeed(seed);
    random.fillNormal(W, 1, p * dim * dim, (p + 1) * dim * dim);
    random.fillNormal(y, 1, p * dim, (p + 1) * dim);
  });
  const wTensor = tf.tensor3d(W, [problems, dim, dim]);
  const yTensor = tf.tensor3d(y, [problems, dim, 1]);
  return {
    problems,
    nCoords: dim,
    initialTheta: () => tf.zeros([problems, dim]),
    nextBatch: () => ({}),
    host: hostQuadratics(dim, problems, W, y),
    // theta [P, d] → [P]
    loss: (theta) =>
      tf.tidy(() => {
        const residual = tf.sub(matMul(wTensor, tf.reshape(theta, [problems, dim, 1])), yTensor);
        return tf.sum(tf.square(residual), [1, 2]);
      }),
    dispose: () => tf.dispose([wTensor, yTensor]),
  };
}

/**
 * f_p(θ) = Σ_i r_i², r = W_pθ_p − y_p, and ∇f_p = 2W_pᵀr, in float64 from the float32 W, y
 * and θ that the tensors hold; results are rounded to float32, so that a loss past float32's
 * range is infinite here as it is in the tensors (that is how divergence shows).
 */
function hostQuadratics(
  dim: number,
  problems: number,
  W: Float32Array,
  y: Float32Array,
): HostProblems {
  const residual = new Float64Array(dim);
  return {
    initialTheta: () => new Float32Array(problems * dim),
    lossAndGrad: (theta, losses, grad) => {
      for (let p = 0; p < problems; p += 1) {
        const w = p * dim * dim;
        const at = p * dim;
        let loss = 0;
        for (let i = 0; i < dim; i += 1) {
          let r = -y[at + i]!;
          for (let j = 0; j < dim; j += 1) r += W[w + i * dim + j]! * theta[at + j]!;
          residual[i] = r;
          loss += r * r;
        }
        losses[p] = Math.fround(loss);
        for (let j = 0; j < dim; j += 1) {
          let g = 0;
          for (let i = 0; i < dim; i += 1) g += W[w + i * dim + j]! * residual[i]!;
          grad[at + j] = Math.fround(2 * g);
        }
      }
    },
  };
}

function explicitProblem(config: QuadraticTaskConfig): { W: Float32Array; y: Float32Array } | null {
  if (config.W === undefined && config.y === undefined) return null;
  const { W, y } = config;
  if (!W || !y) throw invalidConfig('a quadratic problem needs both W and y, or neither');
  const dim = y.length;
  if (W.length !== dim || W.some((row) => row.length !== dim)) {
    throw invalidConfig(`quadratic W must be ${dim}×${dim} to match y`);
  }
  if (config.dim !== undefined && config.dim !== dim) {
    throw invalidConfig(`quadratic dim ${config.dim} disagrees with W and y (${dim})`);
  }
  return { W: Float32Array.from(W.flat()), y: Float32Array.from(y) };
}
