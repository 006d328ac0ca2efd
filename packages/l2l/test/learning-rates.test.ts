import { describe, expect, it } from 'vitest';

import {
  type ClassicName,
  type TaskConfig,
  evaluateLearningRates,
  evaluateOptimizer,
} from '../src/index.js';
import { useWasmBackend } from './helpers/setup.js';
import { syntheticSplit } from './helpers/synthetic-data.js';

const data = syntheticSplit();
const QUADRATIC: TaskConfig = { kind: 'quadratic', dim: 10 };
const MNIST: TaskConfig = { kind: 'mnist', hidden: [8], activation: 'sigmoid', batchSize: 16 };

describe('evaluateLearningRates', () => {
  useWasmBackend();

  describe('when a grid of learning rates runs as one batch', () => {
    // 1 and 0.3 diverge for SGD on these quadratics: the grid must stop recording them exactly
    // where their own runs stop, while the other rates go on.
    const lrs = [1, 0.3, 0.03, 0.001];
    const names: ClassicName[] = ['adam', 'rmsprop', 'sgd', 'nag'];
    for (const name of names) {
      it(`gives every rate the very losses of its own run (${name}, quadratic)`, async () => {
        const options = { steps: 30, nTests: 5, seed: 9 };
        const grid = await evaluateLearningRates(QUADRATIC, { name }, lrs, options);
        for (const [i, lr] of lrs.entries()) {
          const alone = await evaluateOptimizer(QUADRATIC, { name, lr }, options);
          expect(grid[i]!.divergedAtStep).toBe(alone.divergedAtStep);
          expect(grid[i]!.losses).toEqual(alone.losses);
        }
      });
    }

    it('gives every rate the very losses of its own run (adam, mnist)', async () => {
      const options = { steps: 8, nTests: 3, seed: 2 };
      const grid = await evaluateLearningRates(MNIST, { name: 'adam' }, [0.1, 0.01], options, data);
      for (const [i, lr] of [0.1, 0.01].entries()) {
        const alone = await evaluateOptimizer(MNIST, { name: 'adam', lr }, options, data);
        expect(grid[i]!.losses).toEqual(alone.losses);
      }
    });
  });

  describe('when the grid is too large for one batch', () => {
    // A bound below the grid's coordinates (2 rates × 3 nets) but room for two nets forces
    // the rate-by-rate path, each rate's nets in batches of two and one. A net of the
    // synthetic data (16 pixels, 3 classes) with 8 hidden units has 163 coordinates.
    const netCoords = 16 * 8 + 8 + 8 * 3 + 3;
    const bound = 2 * netCoords;

    it('gives every rate the very losses of its own run (sgd, mnist)', async () => {
      const options = { steps: 6, nTests: 3, seed: 4 };
      const lrs = [1, 0.1];
      const grid = await evaluateLearningRates(
        MNIST,
        { name: 'sgd' },
        lrs,
        options,
        data,
        {},
        bound,
      );
      for (const [i, lr] of lrs.entries()) {
        const alone = await evaluateOptimizer(MNIST, { name: 'sgd', lr }, options, data);
        expect(grid[i]!.divergedAtStep).toBe(alone.divergedAtStep);
        expect(grid[i]!.losses).toEqual(alone.losses);
      }
    });

    it('reports progress across the whole grid, ending at 1', async () => {
      const fractions: number[] = [];
      const onProgress = (p: { fraction: number }) => void fractions.push(p.fraction);
      const options = { steps: 2, nTests: 3, seed: 4 };
      await evaluateLearningRates(
        MNIST,
        { name: 'adam' },
        [0.1, 0.01],
        options,
        data,
        {
          onProgress,
        },
        bound,
      );
      expect(fractions.at(-1)).toBe(1);
      expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
      expect(fractions.filter((f) => f <= 0.5).length).toBe(fractions.length / 2);
    });
  });

  describe('when a rate is not positive', () => {
    it('refuses the grid with L2L_INVALID_CONFIG', async () => {
      const options = { steps: 3, nTests: 1, seed: 1 };
      await expect(
        evaluateLearningRates(QUADRATIC, { name: 'sgd' }, [0.1, 0], options),
      ).rejects.toMatchObject({ code: 'L2L_INVALID_CONFIG' });
    });
  });
});
