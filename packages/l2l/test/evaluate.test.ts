import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import {
  type EvaluatedOptimizer,
  type LossMatrix,
  Random,
  type TaskConfig,
  evaluateOptimizer,
  initLstmWeights,
  prepareTask,
  problemSeeds,
  summarizeLosses,
} from '../src/index.js';
import { evaluateOnTask } from '../src/eval/evaluate.js';
import { useWasmBackend } from './helpers/setup.js';
import { syntheticSplit } from './helpers/synthetic-data.js';

const data = syntheticSplit();
const QUADRATIC: TaskConfig = { kind: 'quadratic', dim: 10 };
const MNIST: TaskConfig = { kind: 'mnist', hidden: [8], activation: 'sigmoid', batchSize: 16 };
const LSTM: EvaluatedOptimizer = {
  learned: { hiddenSize: 20, preprocess: true, outMul: 0.1 },
  weights: initLstmWeights(2, 20, Random.fromSeed(1)),
};
const ADAM: EvaluatedOptimizer = { name: 'adam', lr: 0.05 };

function row(matrix: LossMatrix, p: number): Float32Array {
  return matrix.losses.subarray(p * matrix.steps, (p + 1) * matrix.steps);
}

describe('evaluateOptimizer', () => {
  useWasmBackend();

  describe('when several problems run as one batch', () => {
    const cases = [
      ['quadratic', QUADRATIC, LSTM],
      ['quadratic', QUADRATIC, ADAM],
      ['mnist', MNIST, LSTM],
      ['mnist', MNIST, ADAM],
    ] as const;
    for (const [name, taskConfig, optimizer] of cases) {
      const label = 'learned' in optimizer ? 'the LSTM' : optimizer.name;
      it(`gives each problem the losses it gets alone (${name}, ${label})`, async () => {
        const options = { steps: 15, nTests: 3, seed: 42 };
        const batched = await evaluateOptimizer(taskConfig, optimizer, options, data);
        const task = prepareTask(taskConfig, data);
        const seeds = problemSeeds(42, 3);
        for (const [p, seed] of seeds.entries()) {
          const alone = await evaluateOnTask(task, optimizer, [seed], 15);
          // Bit-equal on wasm: no reduction runs across problems, so batching changes nothing.
          expect(row(batched, p)).toEqual(row(alone, 0));
        }
        task.dispose();
      });
    }
  });

  describe('when the problems do not fit one batch', () => {
    it('runs them in batches, each problem with the losses it gets in one batch', async () => {
      const task = prepareTask(QUADRATIC, undefined);
      const seeds = problemSeeds(5, 7);
      const whole = await evaluateOnTask(task, LSTM, seeds, 12);
      const fractions: number[] = [];
      // 30 coordinates per batch: three quadratics of 10, so batches of 3, 3 and 1.
      const parts = await evaluateOnTask(
        task,
        LSTM,
        seeds,
        12,
        { onProgress: ({ fraction }) => void fractions.push(fraction) },
        30,
      );
      expect(parts.losses).toEqual(whole.losses);
      expect(fractions).toHaveLength(36);
      expect(fractions.at(-1)).toBeCloseTo(1);
      expect(fractions.every((f, i) => i === 0 || f > fractions[i - 1]!)).toBe(true);
      task.dispose();
    });
  });

  describe('when run twice with the same seed', () => {
    it('gives identical losses, whatever the optimizer sees the same problems', async () => {
      const options = { steps: 10, nTests: 4, seed: 7 };
      const first = await evaluateOptimizer(MNIST, LSTM, options, data);
      const second = await evaluateOptimizer(MNIST, LSTM, options, data);
      expect(second.losses).toEqual(first.losses);
      // Step 0 is f(θ₀), before any update: equal for every optimizer on the same problems.
      const adam = await evaluateOptimizer(MNIST, ADAM, options, data);
      for (let p = 0; p < 4; p += 1) expect(row(adam, p)[0]).toBe(row(first, p)[0]);
    });
  });

  describe('when stepped many times', () => {
    it('keeps the tensor count flat', async () => {
      const task = prepareTask(MNIST, data);
      for (const optimizer of [LSTM, ADAM]) {
        await evaluateOnTask(task, optimizer, [1, 2], 2);
        const before = tf.memory().numTensors;
        await evaluateOnTask(task, optimizer, [1, 2], 40);
        expect(tf.memory().numTensors).toBe(before);
      }
      task.dispose();
    });

    it('holds the same tensor count at every step of a 1,000-step run', async () => {
      // Sampled inside the run: a per-step leak that the run's end happened to free would
      // still show as a count that grows between samples.
      const task = prepareTask(QUADRATIC);
      const optimizers: EvaluatedOptimizer[] = [
        { ...LSTM, learned: { ...LSTM.learned, outMul: 0.01 } },
        ...(['adam', 'rmsprop', 'sgd', 'nag'] as const).map((name) => ({ name, lr: 0.001 })),
      ];
      for (const optimizer of optimizers) {
        const before = tf.memory().numTensors;
        const counts: number[] = [];
        const onProgress = ({ step }: { step: number }) => {
          if (step % 100 === 0) counts.push(tf.memory().numTensors);
        };
        await evaluateOnTask(task, optimizer, [1, 2, 3], 1000, { onProgress });
        expect(counts).toHaveLength(10);
        expect(new Set(counts).size).toBe(1);
        expect(tf.memory().numTensors).toBe(before);
      }
      task.dispose();
    });
  });

  describe('when a loss becomes infinite', () => {
    it('reports the first such step and stops once every problem has diverged', async () => {
      const sgd: EvaluatedOptimizer = { name: 'sgd', lr: 10 };
      const matrix = await evaluateOptimizer(QUADRATIC, sgd, { steps: 200, nTests: 3, seed: 1 });
      expect(matrix.divergedAtStep).not.toBeNull();
      const at = matrix.divergedAtStep!;
      for (let p = 0; p < 3; p += 1) expect(row(matrix, p)[0]).toBeGreaterThan(0);
      expect([0, 1, 2].some((p) => !Number.isFinite(row(matrix, p)[at]!))).toBe(true);
      expect(Number.isNaN(row(matrix, 0)[199]!)).toBe(true);
    });
  });

  describe('when hooks are given', () => {
    it('reports progress each step and stops when asked', async () => {
      const seen: number[] = [];
      const matrix = await evaluateOptimizer(
        QUADRATIC,
        ADAM,
        { steps: 10, nTests: 2, seed: 1 },
        undefined,
        {
          onProgress: ({ step, fraction, loss }) => {
            expect(fraction).toBeCloseTo(step / 10);
            expect(loss).toBeGreaterThan(0);
            seen.push(step);
          },
          shouldStop: async () => seen.length === 4,
        },
      );
      expect(seen).toEqual([1, 2, 3, 4]);
      expect(Number.isNaN(row(matrix, 0)[4]!)).toBe(true);
    });
  });
});

describe('summarizeLosses', () => {
  describe('when given a small matrix', () => {
    it('gives the per-step mean, std and quantiles and the mean summed loss', () => {
      // 5 problems × 2 steps; column 0 = 1…5, column 1 = 10, 20, 30, 40, 50.
      const losses = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40, 5, 50]);
      const summary = summarizeLosses({ problems: 5, steps: 2, losses, divergedAtStep: null });
      expect(summary.meanSumLoss).toBeCloseTo(33);
      expect(summary.finalLossMean).toBeCloseTo(30);
      expect(summary.curve.mean).toEqual([3, 30]);
      expect(summary.curve.std[0]).toBeCloseTo(Math.sqrt(2));
      // Linear interpolation: p10 of 1…5 is 1 + 0.4·(2 − 1).
      expect(summary.curve.p10[0]).toBeCloseTo(1.4);
      expect(summary.curve.median).toEqual([3, 30]);
      expect(summary.curve.p90[1]).toBeCloseTo(46);
      expect([summary.curve.min[1], summary.curve.max[1]]).toEqual([10, 50]);
    });
  });

  describe('when a problem diverged', () => {
    it('turns the mean NaN but keeps quantiles of the finite losses', () => {
      const losses = Float32Array.from([1, NaN, 2, 4, 3, 6]);
      const summary = summarizeLosses({ problems: 3, steps: 2, losses, divergedAtStep: 1 });
      expect(summary.curve.mean[1]).toBeNaN();
      expect(summary.curve.median[1]).toBe(5);
      expect(summary.curve.max[1]).toBe(6);
    });
  });
});
