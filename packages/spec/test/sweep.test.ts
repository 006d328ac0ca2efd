import { describe, expect, it } from 'vitest';
import { SpecError, planSweep } from '../src/index.js';

const base = { kind: 'baseline', task: { kind: 'quadratic' }, steps: 20, nTests: 4 };

describe('planSweep', () => {
  describe('when a grid is given', () => {
    it('expands the Cartesian product into distinct runs', () => {
      const plan = planSweep(
        {
          base: { ...base, optimizer: { name: 'sgd', lr: 1 } },
          grid: { 'optimizer.lr': [0.1, 0.01], seed: [0, 1, 2] },
        },
        '1',
      );
      expect(plan.runs).toHaveLength(6);
      expect(new Set(plan.runs.map((run) => run.id)).size).toBe(6);
      expect(plan.runs.map((run) => run.spec.seed)).toEqual([0, 1, 2, 0, 1, 2]);
    });

    it('gives the same sweep and run ids when submitted twice', () => {
      const sweep = {
        base: { ...base, optimizer: { name: 'sgd', lr: 1 } },
        grid: { seed: [0, 1] },
      };
      const first = planSweep(sweep, '1');
      const second = planSweep(structuredClone(sweep), '1');
      expect(second.id).toBe(first.id);
      expect(second.runs.map((run) => run.id)).toEqual(first.runs.map((run) => run.id));
    });

    it('collapses cells that normalize to the same run', () => {
      const plan = planSweep(
        {
          base: { ...base, optimizer: { name: 'nag', lr: 0.1 } },
          grid: { 'optimizer.momentum': [0.9, 0.9] },
        },
        '1',
      );
      expect(plan.runs).toHaveLength(1);
    });
  });

  describe('when blocks are given', () => {
    it('runs each block over its own grid and adds meta-training as a dependency', () => {
      const plan = planSweep(
        {
          base,
          blocks: [
            { with: { optimizer: { name: 'adam', lr: 1 } }, grid: { 'optimizer.lr': [0.1, 0.01] } },
            { with: { kind: 'evaluate', trained: { metaTrain: { epochs: 1, steps: 20 } } } },
          ],
        },
        '1',
      );
      const roles = plan.runs.map((run) => `${run.spec.kind}:${run.role}`);
      expect(roles).toEqual([
        'baseline:cell',
        'baseline:cell',
        'meta-train:dependency',
        'evaluate:cell',
      ]);
      const trainer = plan.runs[2];
      expect(plan.runs[3]?.dependsOn).toEqual([trainer?.id]);
    });
  });

  describe('when the grid is too large or malformed', () => {
    it('refuses a million cells before expanding them', () => {
      const values = Array.from({ length: 1000 }, (_, i) => i);
      const attempt = () => planSweep({ base, grid: { seed: values, steps: values } }, '1');
      expect(attempt).toThrowError(SpecError);
      expect(attempt).toThrowError(/maxGridCells/);
    });

    it('points at the cell whose run is invalid', () => {
      try {
        planSweep(
          {
            base: { ...base, optimizer: { name: 'sgd', lr: 1 } },
            grid: { 'optimizer.lr': [1, -1] },
          },
          '1',
        );
        expect.unreachable();
      } catch (error) {
        expect((error as SpecError).issues[0]?.path).toBe('/runs/1/optimizer/lr');
      }
    });

    it('refuses grid keys that are not dotted paths', () => {
      const attempt = () => planSweep({ base, grid: { '../../etc': [1] } }, '1');
      expect(attempt).toThrowError(expect.objectContaining({ code: 'SPEC_INVALID_GRID' }));
    });
  });
});
