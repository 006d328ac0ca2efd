import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import {
  type MetaTrainConfig,
  type MetaTrainResult,
  type MetaTrainState,
  decodeMetaTrainState,
  encodeMetaTrainState,
  metaTrain,
  packLstmWeights,
} from '../src/index.js';
import { useWasmBackend } from './helpers/setup.js';
import { syntheticSplit } from './helpers/synthetic-data.js';

/** Small enough for seconds: 2 epochs × 3 roll-outs × 2 truncations on 5-dim quadratics. */
const CONFIG: MetaTrainConfig = {
  task: { kind: 'quadratic', dim: 5 },
  learned: { hiddenSize: 20, preprocess: false, outMul: 0.1 },
  metaLr: 0.01,
  epochs: 2,
  rolloutsPerEpoch: 3,
  steps: 8,
  unroll: 4,
  nTests: 4,
  metaBatch: 2,
  seed: 5,
};

/** Everything a result says, with weights as plain arrays, for deep equality. */
function fingerprint(result: MetaTrainResult) {
  return {
    best: Array.from(packLstmWeights(result.best)),
    bestScore: result.bestScore,
    epochs: result.epochs,
    weights: Array.from(packLstmWeights(result.state.weights)),
    m: Array.from(result.state.metaAdam.m),
    rng: result.state.rngState,
  };
}

/** Stops after `rollouts` roll-outs (counting across epochs); returns the state to resume. */
async function runUntil(rollouts: number): Promise<MetaTrainState> {
  let done = 0;
  const result = await metaTrain(CONFIG, undefined, {
    onProgress: () => {
      done += 1;
    },
    shouldStop: async () => done >= rollouts,
  });
  expect(result.stopped).toBe(true);
  return result.state;
}

describe('metaTrain', () => {
  useWasmBackend();

  describe('when run twice with the same config and seed', () => {
    it('gives identical weights, scores and metrics', async () => {
      const first = await metaTrain(CONFIG, undefined);
      const second = await metaTrain(CONFIG, undefined);
      expect(first.stopped).toBe(false);
      expect(first.epochs).toHaveLength(2);
      expect(fingerprint(second)).toEqual(fingerprint(first));
    });
  });

  describe('when stopped and resumed from its encoded state', () => {
    it('ends exactly as an uninterrupted run, mid-epoch or at an epoch boundary', async () => {
      const uninterrupted = fingerprint(await metaTrain(CONFIG, undefined));
      for (const stopAfter of [2, 3, 4]) {
        const state = decodeMetaTrainState(encodeMetaTrainState(await runUntil(stopAfter)));
        const resumed = await metaTrain(CONFIG, undefined, { resume: state });
        expect(resumed.stopped).toBe(false);
        expect(fingerprint(resumed)).toEqual(uninterrupted);
      }
    });

    it('refuses a state of another LSTM shape with L2L_INVALID_STATE', async () => {
      const state = await runUntil(1);
      const other = { ...CONFIG, learned: { ...CONFIG.learned, preprocess: true } };
      await expect(metaTrain(other, undefined, { resume: state })).rejects.toMatchObject({
        code: 'L2L_INVALID_STATE',
      });
    });
  });

  describe('when hooks are given', () => {
    it('reports every roll-out and epoch, with a state matching the metrics', async () => {
      const fractions: number[] = [];
      const epochs: number[] = [];
      await metaTrain(CONFIG, undefined, {
        onProgress: ({ fraction }) => {
          fractions.push(fraction);
        },
        onEpoch: async (state, metrics) => {
          epochs.push(metrics.epoch);
          expect(state.epochsDone).toBe(metrics.epoch + 1);
          expect(state.epochs.at(-1)).toEqual(metrics);
          expect(Number.isFinite(metrics.score) && Number.isFinite(metrics.metaLoss)).toBe(true);
        },
      });
      expect(fractions).toEqual([1, 2, 3, 4, 5, 6].map((k) => k / 6));
      expect(epochs).toEqual([0, 1]);
    });
  });

  describe('when trained for many steps', () => {
    it('keeps the tensor count flat across roll-outs and epochs', async () => {
      const counts: number[] = [];
      const before = tf.memory().numTensors;
      await metaTrain({ ...CONFIG, epochs: 3 }, undefined, {
        onProgress: () => {
          counts.push(tf.memory().numTensors);
        },
      });
      expect(new Set(counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    });

    it('keeps it flat when the truncations run on tensors (an MNIST net)', async () => {
      const counts: number[] = [];
      const before = tf.memory().numTensors;
      const mnist: MetaTrainConfig = {
        ...CONFIG,
        task: { kind: 'mnist', hidden: [4], activation: 'sigmoid', batchSize: 8 },
        learned: { hiddenSize: 20, preprocess: true, outMul: 0.1 },
        rolloutsPerEpoch: 2,
      };
      await metaTrain(mnist, syntheticSplit(), {
        onProgress: () => {
          counts.push(tf.memory().numTensors);
        },
      });
      expect(counts).toHaveLength(4);
      expect(new Set(counts).size).toBe(1);
      expect(tf.memory().numTensors).toBe(before);
    });
  });

  describe('when validated on fixed problems', () => {
    it('scores every epoch on the same problems and trains as with fresh ones', async () => {
      const fresh = await metaTrain(CONFIG, undefined);
      const fixed = await metaTrain({ ...CONFIG, validation: 'fixed' }, undefined);
      const seeds = fixed.epochs.map((epoch) => epoch.evalSeed);
      expect(new Set(seeds).size).toBe(1);
      expect(seeds[0]).not.toBe(fresh.epochs[0]!.evalSeed);
      expect(Array.from(packLstmWeights(fixed.state.weights))).toEqual(
        Array.from(packLstmWeights(fresh.state.weights)),
      );
      expect(fixed.state.rngState).toEqual(fresh.state.rngState);
    });
  });

  describe('when the meta-loss becomes infinite', () => {
    it('reports where, keeps no diverged weights as best, and does not throw', async () => {
      // outMul 1e20 sends θ₁ to ~1e20, and f(θ₁) = ‖Wθ₁ − y‖² past float32's 3e38.
      const config = { ...CONFIG, learned: { ...CONFIG.learned, outMul: 1e20 } };
      const result = await metaTrain(config, undefined);
      expect(result.diverged).toEqual({ epoch: 0, rollout: 0, step: 1 });
      expect(result.bestScore).toBeNull();
      expect(result.stopped).toBe(false);
      expect(packLstmWeights(result.best).every(Number.isFinite)).toBe(true);
    });
  });

  describe('when only the evaluation diverges', () => {
    it('records a non-finite score that never becomes the best', async () => {
      // Infinite test pixels make the evaluation's losses NaN; training images are normal.
      const data = syntheticSplit();
      const broken = { ...data.test, images: data.test.images.map(() => Infinity) };
      const result = await metaTrain(
        {
          ...CONFIG,
          task: { kind: 'mnist', hidden: [4], activation: 'relu', batchSize: 8 },
          learned: { hiddenSize: 20, preprocess: true, outMul: 0.1 },
          epochs: 1,
          rolloutsPerEpoch: 1,
        },
        { ...data, test: broken },
      );
      expect(result.diverged).toBeUndefined();
      const [metrics] = result.epochs;
      expect(Number.isFinite(metrics!.score)).toBe(false);
      expect(metrics!.evalDivergedAtStep).not.toBeNull();
      expect(metrics!.best).toBe(false);
      expect(result.bestScore).toBeNull();
    });
  });
});

describe('meta-training state codec', () => {
  useWasmBackend();

  describe('when a state goes through bytes', () => {
    it('comes back equal, non-finite scores included', async () => {
      const state = await runUntil(4);
      const withNaN = { ...state, epochs: [{ ...state.epochs[0]!, score: NaN, bestScore: null }] };
      expect(decodeMetaTrainState(encodeMetaTrainState(withNaN))).toEqual(withNaN);
    });

    it('refuses damaged bytes with L2L_INVALID_STATE', async () => {
      const bytes = encodeMetaTrainState(await runUntil(1));
      for (const damaged of [bytes.slice(0, bytes.length - 4), bytes.slice(1)]) {
        expect(() => decodeMetaTrainState(damaged)).toThrow(
          expect.objectContaining({ code: 'L2L_INVALID_STATE' }),
        );
      }
    });
  });
});
