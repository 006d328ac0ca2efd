import { describe, expect, it } from 'vitest';

import {
  comparisonResult,
  panelMarkdown,
  renderComparisonFigures,
  type ComparisonRun,
  type Layout,
} from '../src/index.js';

const panel = (title: string, suffix: string) => ({
  title,
  steps: 3,
  nTests: 2,
  seed: 1,
  cells: [
    { runId: `adam-1${suffix}`, contender: 'adam', lr: 1 },
    { runId: `adam-0.1${suffix}`, contender: 'adam', lr: 0.1 },
    { runId: `sgd-1${suffix}`, contender: 'sgd', lr: 1 },
    { runId: `lstm-a${suffix}`, contender: 'lstm', metaLr: 0.01 },
    { runId: `lstm-b${suffix}`, contender: 'lstm', metaLr: 0.001 },
  ],
});

const layout: Layout = {
  panels: [panel('base', ''), panel('wide', '-w')],
  trainers: [
    { runId: 'train-a', metaLr: 0.01 },
    { runId: 'train-b', metaLr: 0.001 },
  ],
};

const ok = (meanSumLoss: number): ComparisonRun => ({
  status: 'succeeded',
  summary: { meanSumLoss, sumLossStd: meanSumLoss / 10, finalLossMean: meanSumLoss / 100 },
});
const diverged: ComparisonRun = { status: 'diverged', summary: { meanSumLoss: null } };

const runs = new Map<string, ComparisonRun>([
  ['adam-1', diverged],
  ['adam-0.1', ok(50)],
  ['sgd-1', diverged],
  // The first rate's LSTM scores better on the test panel, but the second meta-trained better:
  // the choice is made on the meta-training's validation score, never on the test problems.
  ['lstm-a', ok(10)],
  ['lstm-b', ok(20)],
  ['train-a', { status: 'succeeded', summary: { bestScore: 9 } }],
  ['train-b', { status: 'succeeded', summary: { bestScore: 5 } }],
  ['adam-1-w', ok(70)],
  ['adam-0.1-w', ok(80)],
  ['sgd-1-w', ok(90)],
  ['lstm-a-w', ok(1)],
  ['lstm-b-w', ok(60)],
]);

describe('comparisonResult', () => {
  describe('when cells diverged and several meta-learning rates were tried', () => {
    const result = comparisonResult(layout, runs);

    it('picks each baseline by score and scores a diverged cell as the worst', () => {
      const [base] = result.panels;
      expect(base!.rows.map((row) => [row.contender, row.lr ?? row.metaLr])).toEqual([
        ['lstm', 0.001],
        ['adam', 0.1],
        ['sgd', 1],
      ]);
      expect(base!.rows.at(-1)).toMatchObject({ status: 'diverged', meanSumLoss: null });
      expect(base!.cells).toHaveLength(5);
    });

    it('uses the meta-learning rate with the best validation score on every panel', () => {
      expect(result.metaLr).toBe(0.001);
      expect(result.trainer).toEqual({ runId: 'train-b', bestScore: 5 });
      const wide = result.panels[1]!.rows.find((row) => row.contender === 'lstm');
      expect(wide).toMatchObject({ runId: 'lstm-b-w', meanSumLoss: 60 });
    });

    it('writes each panel as a Markdown table, best first', () => {
      const lines = panelMarkdown(result.panels[0]!).trim().split('\n');
      expect(lines).toHaveLength(5);
      expect(lines[2]).toBe('| LSTM | meta 0.001 | 20 | 0.2 | 2 | succeeded |');
      expect(lines[4]).toBe('| sgd | 1 | – | – | – | diverged |');
    });
  });

  describe('when drawn', () => {
    it('renders one SVG per panel from the rows’ curves', async () => {
      const asked: string[] = [];
      const figures = await renderComparisonFigures(
        'test',
        comparisonResult(layout, runs),
        async (runId) => {
          asked.push(runId);
          return runId.startsWith('sgd')
            ? undefined
            : { step: [0, 1, 2], mean: [3, 2, 1], p10: [2, 1, 0.5], p90: [4, 3, 2] };
        },
      );
      expect(figures).toHaveLength(2);
      for (const svg of figures) expect(svg).toMatch(/^<svg/);
      expect(figures[0]).toContain('LSTM (learned)');
      expect(figures[0]).toContain('adam (lr 0.1)');
      expect(asked).toEqual(['lstm-b', 'adam-0.1', 'sgd-1', 'lstm-b-w', 'adam-1-w', 'sgd-1-w']);
    });
  });
});
