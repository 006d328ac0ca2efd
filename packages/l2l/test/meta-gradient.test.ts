import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import {
  type LstmConfig,
  Random,
  initLstmWeights,
  packLstmWeights,
  prepareTask,
} from '../src/index.js';
import { tidy } from '../src/backend/scope.js';
import { type Carry, truncation } from '../src/meta/truncation.js';
import { useWasmBackend } from './helpers/setup.js';

const UNROLL = 5;
const task = prepareTask({ kind: 'quadratic', dim: 4 });

interface Evaluation {
  metaLoss: number;
  grad: Float64Array;
  grads: Float32Array[];
}

/** L(φ) of one truncation of two fresh quadratics, from θ₀ = 0 and zero LSTM states. */
function evaluate(
  config: LstmConfig,
  phi: Float32Array,
  fixedGrads?: Float32Array[],
  unroll = UNROLL,
): Evaluation {
  const instance = task.instance([11, 12], 'train');
  const rows = 2 * 4;
  const zeros = () => tf.zeros([rows, config.hiddenSize]) as tf.Tensor2D;
  const carry: Carry = {
    theta: instance.initialTheta(),
    state: { h0: zeros(), c0: zeros(), h1: zeros(), c1: zeros() },
  };
  const batches = Array.from({ length: unroll }, () => instance.nextBatch());
  const phiTensor = tf.tensor2d(phi, [1, phi.length]);
  const fixed = fixedGrads?.map((g) => tf.tensor2d(g, [2, 4]));
  const result = tidy(() =>
    truncation(phiTensor, config, instance, carry, batches, {
      recordGrads: true,
      ...(fixed ? { fixedGrads: fixed } : {}),
    }),
  );
  const out = {
    metaLoss: result.metaLoss.dataSync()[0]!,
    grad: Float64Array.from(result.grad.dataSync()),
    grads: result.grads.map((g) => g.dataSync().slice() as Float32Array),
  };
  tf.dispose([phiTensor, fixed ?? [], carry as never, result as never]);
  instance.dispose();
  return out;
}

/** Central difference of L along `direction`, with the g_t fixed or recomputed. */
function centralDifference(
  config: LstmConfig,
  phi: Float32Array,
  direction: Float32Array,
  eps: number,
  fixedGrads?: Float32Array[],
  unroll = UNROLL,
): number {
  const shifted = (sign: number) => phi.map((v, i) => v + sign * eps * direction[i]!);
  const plus = evaluate(config, shifted(1), fixedGrads, unroll).metaLoss;
  const minus = evaluate(config, shifted(-1), fixedGrads, unroll).metaLoss;
  return (plus - minus) / (2 * eps);
}

/**
 * Agreement asked of the analytic and numeric directional derivatives: 1e-3 relative. In
 * float32 L ≈ 50 carries ~1e-5 of rounding error, ~1e-2 over 2ε = 2e-3, i.e. ~1e-4 of a
 * derivative of ~60 (measured: 1e-5 without, 1.3e-4 with preprocessing).
 */
const TOLERANCE = 1e-3;

function directionalDerivative(grad: Float64Array, direction: Float32Array): number {
  return grad.reduce((sum, g, i) => sum + g * direction[i]!, 0);
}

describe('meta-gradient', () => {
  useWasmBackend();

  for (const preprocess of [false, true]) {
    describe(`when ${preprocess ? '' : 'not '}preprocessing gradients`, () => {
      const config: LstmConfig = { hiddenSize: 20, preprocess, outMul: 1 };
      const random = Random.fromSeed(preprocess ? 3 : 4);
      const phi = packLstmWeights(initLstmWeights(preprocess ? 2 : 1, 20, random));

      it('matches central differences of L with the g_t held fixed', () => {
        const base = evaluate(config, phi);
        for (let k = 0; k < 3; k += 1) {
          const direction = new Float32Array(phi.length);
          random.fillNormal(direction);
          const analytic = directionalDerivative(base.grad, direction);
          const numeric = centralDifference(config, phi, direction, 1e-3, base.grads);
          expect(Math.abs(numeric - analytic)).toBeLessThan(TOLERANCE * Math.abs(analytic));
        }
      });
    });
  }

  // The backward pass keeps every other step's state counted from the last and recomputes the
  // others: short truncations are where that bookkeeping has the fewest steps to go wrong in.
  describe('on truncations of 1, 2 and 3 steps', () => {
    const config: LstmConfig = { hiddenSize: 20, preprocess: false, outMul: 1 };
    const random = Random.fromSeed(6);
    const phi = packLstmWeights(initLstmWeights(1, 20, random));

    it('is zero for one step, whose update L never sees', () => {
      const before = tf.memory().numTensors;
      const base = evaluate(config, phi, undefined, 1);
      expect(base.grad.every((g) => g === 0)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });

    for (const unroll of [2, 3]) {
      it(`matches central differences over ${unroll} steps, and leaves no tensor`, () => {
        const before = tf.memory().numTensors;
        const base = evaluate(config, phi, undefined, unroll);
        expect(tf.memory().numTensors).toBe(before);
        const direction = new Float32Array(phi.length);
        random.fillNormal(direction);
        const analytic = directionalDerivative(base.grad, direction);
        const numeric = centralDifference(config, phi, direction, 1e-3, base.grads, unroll);
        expect(Math.abs(analytic)).toBeGreaterThan(0);
        expect(Math.abs(numeric - analytic)).toBeLessThan(TOLERANCE * Math.abs(analytic));
      });
    }
  });

  describe('when the optimizee fails partway through a truncation', () => {
    it('throws, and leaves no tensor of its own behind', () => {
      const config: LstmConfig = { hiddenSize: 20, preprocess: false, outMul: 1 };
      const phi = packLstmWeights(initLstmWeights(1, 20, Random.fromSeed(7)));
      const instance = task.instance([11, 12], 'train');
      const zeros = () => tf.zeros([8, config.hiddenSize]) as tf.Tensor2D;
      const carry: Carry = {
        theta: instance.initialTheta(),
        state: { h0: zeros(), c0: zeros(), h1: zeros(), c1: zeros() },
      };
      const batches = Array.from({ length: UNROLL }, () => instance.nextBatch());
      const phiTensor = tf.tensor2d(phi, [1, phi.length]);
      let calls = 0;
      const failing = Object.create(instance) as typeof instance;
      failing.loss = (theta, batch) => {
        calls += 1;
        if (calls === 4) throw new Error('optimizee failed');
        return instance.loss(theta, batch);
      };

      const before = tf.memory().numTensors;
      expect(() => truncation(phiTensor, config, failing, carry, batches)).toThrow(
        'optimizee failed',
      );
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([phiTensor, carry as never]);
      instance.dispose();
    });
  });

  describe('when gradient could flow through g_t', () => {
    it('would be caught: the derivative of L with g_t recomputed is far off ours', () => {
      // Without preprocessing g_t enters the LSTM raw, and the second-order term that a
      // gradient through g_t = ∇f(θ_t(φ)) adds is ~2.5% here, 25× the tolerance above.
      // (With preprocessing it is ~1e-4: log|g|/10 barely moves, so only this case can show it.)
      const config: LstmConfig = { hiddenSize: 20, preprocess: false, outMul: 1 };
      const random = Random.fromSeed(4);
      const phi = packLstmWeights(initLstmWeights(1, 20, random));
      const base = evaluate(config, phi);
      const direction = new Float32Array(phi.length);
      random.fillNormal(direction);
      const analytic = directionalDerivative(base.grad, direction);
      const full = centralDifference(config, phi, direction, 1e-3);
      expect(Math.abs(full - analytic)).toBeGreaterThan(10 * TOLERANCE * Math.abs(analytic));
    });
  });
});
