import { describe, expect, it } from 'vitest';

import {
  contenderResults,
  contenderRows,
  contenderSeries,
  renderSweepFigure,
  SWEEP_FIGURE_POINTS,
  type LossCurvePoints,
} from '../src/index.js';

const curve = (scale: number): LossCurvePoints => ({
  step: [0, 1, 2],
  mean: [3 * scale, 2 * scale, scale],
  p10: [2 * scale, scale, scale / 2],
  p90: [4 * scale, 3 * scale, 2 * scale],
});

const best = {
  adam: { runId: 'a', lr: 0.1 },
  lstm: { runId: 'l', lr: null },
  sgd: { runId: 's', lr: 0.01 },
};
const runs = [
  { id: 'a', status: 'succeeded', summary: { meanSumLoss: 6, finalLossMean: 1, sumLossStd: 2 } },
  { id: 'l', status: 'succeeded', summary: { meanSumLoss: 3, finalLossMean: 0.5 } },
  { id: 's', status: 'diverged', summary: { meanSumLoss: null, finalLossMean: null } },
];

describe('sweep report', () => {
  describe('when every pick has a run and a curve', () => {
    it('reads each curve once at the figure resolution and keeps the picks in order', async () => {
      const asked: [string, number][] = [];
      const results = await contenderResults(best, runs, async (runId, maxPoints) => {
        asked.push([runId, maxPoints]);
        return curve(runId === 'l' ? 0.5 : 1);
      });

      expect(asked).toEqual([
        ['a', SWEEP_FIGURE_POINTS],
        ['l', SWEEP_FIGURE_POINTS],
        ['s', SWEEP_FIGURE_POINTS],
      ]);
      expect(results.map((result) => result.contender)).toEqual(['adam', 'lstm', 'sgd']);
      expect(contenderRows(results)).toEqual([
        {
          label: 'adam',
          learningRate: 0.1,
          meanSumLoss: 6,
          finalLoss: 1,
          spread: 2,
          status: 'succeeded',
        },
        { label: 'lstm', meanSumLoss: 3, finalLoss: 0.5, status: 'succeeded' },
        // A diverged run's null score becomes NaN, which the table ranks last.
        {
          label: 'sgd',
          learningRate: 0.01,
          meanSumLoss: NaN,
          finalLoss: NaN,
          status: 'diverged',
        },
      ]);
    });
  });

  describe('when drawing the figure', () => {
    it('draws the learned optimizer solid, the classic ones dashed, with bands', async () => {
      const results = await contenderResults(best, runs, async () => curve(1));
      const series = contenderSeries(results);

      expect(series.map((s) => [s.label, s.learned])).toEqual([
        ['adam', false],
        ['LSTM (learned)', true],
        ['sgd', false],
      ]);
      expect(series[0]).toMatchObject({ lower: [2, 1, 0.5], upper: [4, 3, 2] });

      const svg = await renderSweepFigure({ id: 'f'.repeat(64), name: null }, results);
      expect(svg).toContain('ffffffffffff: loss over test problems');
      expect(svg).toContain('LSTM (learned)');
    });
  });

  describe('when a pick has no loss curve', () => {
    it('keeps its table row but draws no line for it', async () => {
      const results = await contenderResults(best, runs, async (runId) =>
        runId === 's' ? undefined : curve(1),
      );
      expect(contenderRows(results)).toHaveLength(3);
      expect(contenderSeries(results).map((s) => s.label)).toEqual(['adam', 'LSTM (learned)']);
    });
  });
});
