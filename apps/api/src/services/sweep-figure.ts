/**
 * A sweep's loss figure from the store: the best finished run of each contender and its loss
 * curve, drawn by @metaopt/report exactly as the CLI draws it.
 */
import { contenderResults, renderSweepFigure } from '@metaopt/report';
import type { Store } from '@metaopt/store';
import { ApiError } from '../errors.js';
import { bestOfSweep } from '../present.js';

export async function sweepFigureSvg(store: Store, sweepId: string): Promise<string> {
  const sweep = await store.sweeps.get(sweepId);
  if (!sweep) throw new ApiError('SWEEP_NOT_FOUND', `No sweep ${sweepId}.`);

  const cells = sweep.runs.filter((entry) => entry.role === 'cell').map((entry) => entry.run);
  const results = await contenderResults(bestOfSweep(cells), cells, async (runId, maxPoints) => {
    const [curve] = await store.curves.get(runId, { series: 'loss', maxPoints });
    return curve;
  });
  if (!results.some((result) => result.curve)) {
    throw new ApiError(
      'FIGURE_NOT_READY',
      'No run of this sweep has finished with a loss curve yet: there is nothing to draw.',
    );
  }
  return renderSweepFigure(sweep, results);
}
