/** The table and figure of a local session, from its outcomes rather than from the API. */
import { formatResultTable, renderLossFigure, type LossSeries } from '@metaopt/report';
import { bestByContender } from '@metaopt/spec';
import type { LocalResult } from './local.js';

export async function localReport(title: string, results: readonly LocalResult[]) {
  const finished = results.flatMap((result) =>
    result.outcome.kind === 'finished' && result.run.role === 'cell'
      ? [
          {
            spec: result.run.spec,
            meanSumLoss:
              result.outcome.status === 'succeeded' ? result.outcome.summary.meanSumLoss : null,
            item: result.outcome,
          },
        ]
      : [],
  );

  const rows = [];
  const series: LossSeries[] = [];
  for (const [contender, { spec, item }] of bestByContender(finished)) {
    rows.push({
      label: contender,
      learningRate: spec.kind === 'baseline' ? spec.optimizer.lr : undefined,
      meanSumLoss: item.summary.meanSumLoss ?? Number.NaN,
      finalLoss: item.summary.finalLossMean ?? Number.NaN,
      spread: item.summary.sumLossStd,
      status: item.status,
    });
    const curve = item.curves.find((c) => c.series === 'loss');
    if (!curve) continue;
    series.push({
      label: contender === 'lstm' ? 'LSTM (learned)' : contender,
      learned: contender === 'lstm',
      steps: curve.mean.map((_, step) => step),
      mean: [...curve.mean],
      ...(curve.p10 && curve.p90 ? { lower: [...curve.p10], upper: [...curve.p90] } : {}),
    });
  }
  // A session of failed runs, or of a meta-training alone, has no loss curve to draw.
  const figureSvg = series.length > 0 ? await renderLossFigure({ title, series }) : null;
  return { table: formatResultTable(rows), figureSvg };
}
