import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { mlpLayout, prepareTask } from '../src/index.js';
import { mlpLoss } from '../src/tasks/mlp.js';
import { maxRelativeError, readFixture, useWasmBackend } from './helpers/setup.js';
import { syntheticSplit } from './helpers/synthetic-data.js';

type Param = { shape: number[]; value: number[] | number[][] };

interface MnistFixture {
  batch: { label: number; pixels: number[] }[];
  params: Record<'mat_0' | 'bias_0' | 'final_mat' | 'final_bias', Param>;
  grads: Record<'mat_0' | 'bias_0' | 'final_mat' | 'final_bias', Param>;
  loss: number;
}

const fixture = readFixture<MnistFixture>('mnist_net.json');
const ORDER = ['mat_0', 'bias_0', 'final_mat', 'final_bias'] as const;

describe('mnist task', () => {
  useWasmBackend();

  describe('when laying out the reference 784 → 20 → 10 net', () => {
    it('orders coordinates mat_0, bias_0, final_mat, final_bias (15,910 in all)', () => {
      const layout = mlpLayout(784, [20], 10);
      expect(layout.params.map((p) => [p.name, p.offset, p.size])).toEqual([
        ['mat_0', 0, 15680],
        ['bias_0', 15680, 20],
        ['final_mat', 15700, 200],
        ['final_bias', 15900, 10],
      ]);
      expect(layout.nCoords).toBe(15910);
    });
  });

  describe('when computing the reference batch of four digits', () => {
    const theta = () => tf.tensor2d([ORDER.flatMap((name) => fixture.params[name].value.flat())]);
    const images = () => tf.tensor3d([fixture.batch.map((b) => b.pixels)]);
    const oneHot = () =>
      tf
        .oneHot(
          fixture.batch.map((b) => b.label),
          10,
        )
        .toFloat()
        .expandDims(0);
    const layout = mlpLayout(784, [20], 10);
    const loss = (t: tf.Tensor2D) =>
      mlpLoss(layout, 'sigmoid', t, images(), oneHot() as tf.Tensor3D);

    it('gives the reference loss to 1e-6', () => {
      const value = tf.tidy(() => loss(theta()).dataSync()[0]!);
      expect(Math.abs(value - fixture.loss) / fixture.loss).toBeLessThan(1e-6);
    });

    it('gives the reference gradients to 1e-4', () => {
      const grad = tf.tidy(() =>
        tf
          .grad((t) => loss(t as tf.Tensor2D).sum())(theta())
          .dataSync(),
      );
      const expected = ORDER.flatMap((name) => fixture.grads[name].value.flat());
      // Floor 1e-3 of the largest gradient: most of mat_0's are exactly 0 (blank pixels).
      const largest = Math.max(...expected.map(Math.abs));
      expect(maxRelativeError(grad, expected, 1e-3 * largest)).toBeLessThan(1e-4);
    });
  });

  describe('when making problems from seeds', () => {
    const data = syntheticSplit();
    const config = { kind: 'mnist', hidden: [8], activation: 'relu', batchSize: 32 } as const;

    it('draws the same θ₀ and minibatches for the same seed', () => {
      const task = prepareTask(config, data);
      const draw = () => {
        const instance = task.instance([5, 6], 'train');
        const theta = instance.initialTheta();
        const batches = [instance.nextBatch(), instance.nextBatch()];
        const out = [theta, ...batches.flatMap((b) => [b.images!, b.oneHot!])].map((t) =>
          Array.from(t.dataSync()),
        );
        tf.dispose([theta, batches]);
        return out;
      };
      expect(draw()).toEqual(draw());
      task.dispose();
    });

    it('initializes weights as N(0,1)·0.001 and biases as 0', () => {
      const task = prepareTask(config, data);
      const instance = task.instance([1, 2, 3, 4], 'test');
      const theta = instance.initialTheta();
      const layout = mlpLayout(16, [8], 3);
      const values = theta.dataSync();
      const weights: number[] = [];
      for (let p = 0; p < 4; p += 1) {
        for (const param of layout.params) {
          const row = values.subarray(
            p * layout.nCoords + param.offset,
            p * layout.nCoords + param.offset + param.size,
          );
          if (param.isBias) expect(Array.from(row).every((v) => v === 0)).toBe(true);
          else weights.push(...row);
        }
      }
      const std = Math.sqrt(weights.reduce((a, w) => a + w * w, 0) / weights.length);
      expect(std).toBeGreaterThan(0.0009);
      expect(std).toBeLessThan(0.0011);
      theta.dispose();
      task.dispose();
    });

    it('draws distinct images within a minibatch', () => {
      const task = prepareTask({ ...config, batchSize: 150 }, data);
      const batch = task.instance([3], 'test').nextBatch();
      const rows = batch.images!.reshape([150, 16]).arraySync() as number[][];
      expect(new Set(rows.map((r) => r.join(','))).size).toBe(150);
      tf.dispose(batch);
      task.dispose();
    });

    it('throws L2L_DATA_REQUIRED without data', () => {
      expect(() => prepareTask(config)).toThrow(
        expect.objectContaining({ code: 'L2L_DATA_REQUIRED' }),
      );
    });
  });
});
