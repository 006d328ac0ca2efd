/**
 * The paper's quadratic: f(θ) = ‖Wθ − y‖², θ ∈ R^d, θ₀ = 0, W [d, d] and y [d] standard
 * normal per problem (Andrychowicz et al. 2016, section 3.1).
 */
import * as tf from '@tensorflow/tfjs';

import { matMul } from '../backend/kernels.js';
import { invalidConfig } from '../errors.js';
import { Random } from '../random.js';
import type { QuadraticTaskConfig, Task, TaskInstance } from './types.js';

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
    // theta [P, d] → [P]
    loss: (theta) =>
      tf.tidy(() => {
        const residual = tf.sub(matMul(wTensor, tf.reshape(theta, [problems, dim, 1])), yTensor);
        return tf.sum(tf.square(residual), [1, 2]);
      }),
    dispose: () => tf.dispose([wTensor, yTensor]),
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
