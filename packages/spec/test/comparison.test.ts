import { describe, expect, it } from 'vitest';
import { PAPER_LR_GRID, SpecError, planComparison, planSweep } from '../src/index.js';

const quadratic = {
  name: 'q',
  task: { kind: 'quadratic' },
  steps: 20,
  nTests: 4,
  seed: 1,
  learned: { metaTrain: { epochs: 2, steps: 20, unroll: 10 } },
};

describe('planComparison', () => {
  describe('when only the task and the meta-training are given', () => {
    const plan = planComparison(quadratic, 't');

    it('sweeps the four baselines over the paper grid and trains one LSTM', () => {
      const kinds = plan.runs.map((run) => run.spec.kind);
      expect(kinds.filter((kind) => kind === 'baseline')).toHaveLength(44);
      expect(kinds.filter((kind) => kind === 'meta-train')).toHaveLength(1);
      expect(kinds.filter((kind) => kind === 'evaluate')).toHaveLength(1);
      const [panel] = plan.layout.panels;
      expect(panel!.title).toBe('quadratic 10');
      expect(panel!.cells.filter((cell) => cell.contender === 'adam').map((c) => c.lr)).toEqual(
        PAPER_LR_GRID,
      );
    });

    it('lays out cells whose run ids are planned runs, all on the same problems', () => {
      const byId = new Map(plan.runs.map((run) => [run.id, run.spec]));
      for (const cell of plan.layout.panels[0]!.cells) {
        const spec = byId.get(cell.runId);
        expect(spec).toBeDefined();
        expect([spec!.steps, spec!.nTests, spec!.seed]).toEqual([20, 4, 1]);
      }
      expect(byId.get(plan.layout.trainers[0]!.runId)?.kind).toBe('meta-train');
    });

    it('has an id of its own, not that of the same runs as a sweep', () => {
      const again = planComparison(structuredClone(quadratic), 't');
      expect(again.id).toBe(plan.id);
      const sweep = planSweep({ name: 'q', blocks: [{ with: plan.runs[0]!.spec }] }, 't');
      expect(sweep.id).not.toBe(plan.id);
    });
  });

  describe('when a grid of meta-learning rates is given', () => {
    it('meta-trains once per rate and evaluates each on every panel', () => {
      const plan = planComparison(
        {
          ...quadratic,
          learned: { ...quadratic.learned, metaLrs: [0.01, 0.001] },
          baselines: { optimizers: ['adam'], lrs: [0.1] },
          panels: [{}, { title: 'dim 20', task: { kind: 'quadratic', dim: 20 } }],
        },
        't',
      );
      expect(plan.layout.trainers.map((t) => t.metaLr)).toEqual([0.01, 0.001]);
      const lstm = plan.layout.panels[1]!.cells.filter((cell) => cell.contender === 'lstm');
      expect(lstm.map((cell) => cell.metaLr)).toEqual([0.01, 0.001]);
      const evaluation = plan.runs.find((run) => run.id === lstm[0]!.runId)!.spec;
      // Evaluated on the panel's task, trained on the comparison's.
      expect(evaluation.task).toMatchObject({ kind: 'quadratic', dim: 20 });
      expect(evaluation.kind === 'evaluate' && 'metaTrain' in evaluation.trained).toBe(true);
      if (evaluation.kind === 'evaluate' && 'metaTrain' in evaluation.trained) {
        expect(evaluation.trained.metaTrain.task).toMatchObject({ kind: 'quadratic', dim: 10 });
      }
    });
  });

  describe('when the optimizer comes from a checkpoint', () => {
    it('plans no meta-training', () => {
      const plan = planComparison(
        { ...quadratic, learned: { checkpoint: 'a'.repeat(64) }, baselines: { lrs: [0.1] } },
        't',
      );
      expect(plan.runs.some((run) => run.spec.kind === 'meta-train')).toBe(false);
      expect(plan.layout.trainers).toEqual([]);
    });
  });

  describe('when two panels share a title', () => {
    it('refuses the comparison with SPEC_INVALID', () => {
      const panels = [{ title: 'a' }, { title: 'a', steps: 10 }];
      expect(() => planComparison({ ...quadratic, panels }, 't')).toThrow(SpecError);
    });
  });
});
