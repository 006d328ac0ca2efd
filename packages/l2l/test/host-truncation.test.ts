import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import type { HostProblems } from '../src/tasks/types.js';
import {
  type LstmConfig,
  Random,
  initLstmWeights,
  packLstmWeights,
  prepareTask,
} from '../src/index.js';
import { tidy } from '../src/backend/scope.js';
import { hostTruncation, initialHostCarry } from '../src/meta/host-truncation.js';
import { type Carry, truncation } from '../src/meta/truncation.js';
import { useWasmBackend } from './helpers/setup.js';

const UNROLL = 6;
const SEEDS = [21, 22, 23];
const DIM = 6;
const task = prepareTask({ kind: 'quadratic', dim: DIM });

/**
 * L and ∂L/∂φ of one truncation from θ₀ = 0 and zero states, on the host; with `fixed`, the
 * LSTM is fed those g_t instead of ∇f(θ_t) (L with the g_t held fixed). The g_t fed are
 * returned in `fed`.
 */
function onHost(config: LstmConfig, phi: Float32Array, fixed?: Float64Array[]) {
  const instance = task.instance(SEEDS, 'train');
  const fed: Float64Array[] = [];
  const problems: HostProblems = {
    initialTheta: () => instance.host!.initialTheta(),
    lossAndGrad: (theta, losses, grad) => {
      instance.host!.lossAndGrad(theta, losses, grad);
      if (fixed) grad.set(fixed[fed.length]!);
      fed.push(grad.slice());
    },
  };
  const carry = initialHostCarry(problems, SEEDS.length * DIM, config.hiddenSize);
  const result = hostTruncation(phi, config, problems, instance, carry, UNROLL);
  instance.dispose();
  return { ...result, theta: carry.theta, fed };
}

/** The same with tensors (truncation.ts). */
function withTensors(config: LstmConfig, phi: Float32Array) {
  const instance = task.instance(SEEDS, 'train');
  const zeros = () => tf.zeros([SEEDS.length * DIM, config.hiddenSize]) as tf.Tensor2D;
  const carry: Carry = {
    theta: instance.initialTheta(),
    state: { h0: zeros(), c0: zeros(), h1: zeros(), c1: zeros() },
  };
  const batches = Array.from({ length: UNROLL }, () => instance.nextBatch());
  const phiTensor = tf.tensor2d(phi, [1, phi.length]);
  const result = tidy(() => truncation(phiTensor, config, instance, carry, batches));
  const out = {
    metaLoss: result.metaLoss.dataSync()[0]!,
    grad: Float64Array.from(result.grad.dataSync()),
    theta: result.carry.theta.dataSync().slice(),
  };
  tf.dispose([phiTensor, carry as never, result as never]);
  instance.dispose();
  return out;
}

/** max |a − b| / max |b|. */
function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i += 1) {
    worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return worst / scale;
}

describe('hostTruncation', () => {
  useWasmBackend();

  for (const preprocess of [false, true]) {
    describe(`when ${preprocess ? '' : 'not '}preprocessing gradients`, () => {
      const config: LstmConfig = { hiddenSize: 20, preprocess, outMul: preprocess ? 0.1 : 1 };
      const random = Random.fromSeed(preprocess ? 5 : 6);
      const phi = packLstmWeights(initLstmWeights(preprocess ? 2 : 1, 20, random));

      it('agrees with the tensor truncation on L, ∂L/∂φ and θ_U', () => {
        const host = onHost(config, phi);
        const tensors = withTensors(config, phi);
        // float64 on the host against float32 tensors: ~1e-7 measured on L and θ, ~1e-6 on
        // the gradient, whose largest entries sum thousands of terms.
        expect(Math.abs(host.metaLoss - tensors.metaLoss) / tensors.metaLoss).toBeLessThan(1e-5);
        expect(relativeError(host.grad, tensors.grad)).toBeLessThan(1e-4);
        expect(relativeError(host.theta, tensors.theta)).toBeLessThan(1e-5);
      });

      it('matches central differences of L with the g_t held fixed', () => {
        // θ and the losses are rounded to float32 at every step, as the tensors are: over
        // 2ε = 2e-3 that leaves ~5e-5 relative error in the difference (measured).
        const base = onHost(config, phi);
        for (let k = 0; k < 3; k += 1) {
          const direction = new Float32Array(phi.length);
          random.fillNormal(direction);
          const eps = 1e-3;
          const shifted = (sign: number) => phi.map((v, i) => v + sign * eps * direction[i]!);
          const numeric =
            (onHost(config, shifted(1), base.fed).metaLoss -
              onHost(config, shifted(-1), base.fed).metaLoss) /
            (2 * eps);
          const analytic = base.grad.reduce((sum, g, i) => sum + g * direction[i]!, 0);
          // Relative to Σ|g_i d_i|, not |Σ g_i d_i|: terms of a random direction cancel, and the
          // rounding error scales with the terms.
          const scale = base.grad.reduce((sum, g, i) => sum + Math.abs(g * direction[i]!), 0);
          expect(Math.abs(numeric - analytic)).toBeLessThan(1e-3 * scale);
        }
      });
    });
  }
});
