/**
 * A finished sweep as a person reads it: each contender's best run in a table, and their
 * loss curves in one log-scale figure (the learned optimizer solid, the others dashed).
 */
import { formatResultTable, renderLossFigure } from '@metaopt/report';
import type { CurveView, MetaoptClient, SweepView } from './client.js';

const FIGURE_POINTS = 200;

export interface SweepReport {
  readonly table: string;
  readonly figureSvg: string;
}

export async function sweepReport(client: MetaoptClient, sweep: SweepView): Promise<SweepReport> {
  const best = sweep.best ?? (await client.sweep(sweep.id, true)).best ?? {};
  const contenders = Object.entries(best);

  const rows = [];
  const series = [];
  for (const [contender, pick] of contenders) {
    const run = sweep.runs.find((candidate) => candidate.id === pick.runId);
    const curve = (await client.curves(pick.runId, FIGURE_POINTS)).find((c) => c.series === 'loss');
    rows.push({
      label: contender,
      learningRate: pick.lr ?? undefined,
      meanSumLoss: run?.summary?.meanSumLoss ?? Number.NaN,
      finalLoss: run?.summary?.finalLossMean ?? Number.NaN,
      status: run?.status,
    });
    if (curve) series.push(seriesOf(contender, curve));
  }

  const title = `${sweep.name ?? sweep.id.slice(0, 12)}: loss over test problems`;
  return {
    table: formatResultTable(rows),
    figureSvg: await renderLossFigure({ title, series }),
  };
}

function seriesOf(contender: string, curve: CurveView) {
  return {
    label: contender === 'lstm' ? 'LSTM (learned)' : contender,
    learned: contender === 'lstm',
    steps: [...curve.step],
    mean: [...curve.mean],
    ...(curve.p10 && curve.p90 ? { lower: [...curve.p10], upper: [...curve.p90] } : {}),
  };
}
