/**
 * A finished sweep as a person reads it: each contender's best run in a table, and their
 * loss curves in one log-scale figure (the learned optimizer solid, the others dashed). The
 * joining and drawing are @metaopt/report's, shared with the API's figure route.
 */
import {
  contenderResults,
  contenderRows,
  formatResultTable,
  renderSweepFigure,
} from '@metaopt/report';
import type { MetaoptClient, SweepView } from './client.js';

export interface SweepReport {
  readonly table: string;
  readonly figureSvg: string;
}

export async function sweepReport(client: MetaoptClient, sweep: SweepView): Promise<SweepReport> {
  const best = sweep.best ?? (await client.sweep(sweep.id, true)).best ?? {};
  const results = await contenderResults(best, sweep.runs, async (runId, maxPoints) =>
    (await client.curves(runId, maxPoints)).find((curve) => curve.series === 'loss'),
  );
  return {
    table: formatResultTable(contenderRows(results)),
    figureSvg: await renderSweepFigure(sweep, results),
  };
}
