import { describe, expect, it } from 'vitest';
import { normalizeRun, type RunSpec } from '@metaopt/spec';
import { gridKey } from '../src/index.js';

const baseline = (optimizer: object, extra: object = {}): RunSpec =>
  normalizeRun({ kind: 'baseline', task: { kind: 'quadratic' }, optimizer, ...extra });

describe('gridKey', () => {
  describe('when baselines differ in their learning rate only', () => {
    it('gives them one key, so they run as one grid job', () => {
      const keys = [0.1, 0.01, 1].map((lr) => gridKey(baseline({ name: 'adam', lr })));
      expect(new Set(keys).size).toBe(1);
      expect(keys[0]).not.toBeNull();
    });
  });

  describe('when anything else differs', () => {
    it.each([
      ['the optimizer', baseline({ name: 'sgd', lr: 0.1 })],
      ['a hyperparameter', baseline({ name: 'adam', lr: 0.1, eps: 1e-6 })],
      ['the seed', baseline({ name: 'adam', lr: 0.1 }, { seed: 4 })],
      ['the steps', baseline({ name: 'adam', lr: 0.1 }, { steps: 50 })],
    ])('gives another key for %s', (_what, other) => {
      expect(gridKey(other)).not.toBe(gridKey(baseline({ name: 'adam', lr: 0.1 })));
    });
  });

  describe('when the run is not a baseline', () => {
    it('gives none', () => {
      expect(gridKey(normalizeRun({ kind: 'meta-train', task: { kind: 'quadratic' } }))).toBeNull();
    });
  });
});
