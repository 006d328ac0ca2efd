/**
 * A sweep as a person reads it: each contender's best run as a table row, and their loss
 * curves as one figure. Shared by the API (reading PostgreSQL) and the CLI (reading the API),
 * which differ only in how they fetch a run's loss curve, so that is passed in.
 */
import { renderLossFigure } from './figure.js';
import type { LossSeries, ResultRow } from './types.js';

/** Points per curve drawn: a figure 480 px wide shows no more. */
export const SWEEP_FIGURE_POINTS = 200;

/** The contender whose runs are the meta-trained optimizer's; drawn solid, as in the paper. */
const LEARNED_CONTENDER = 'lstm';

/** The best run of one contender (`{adam: {runId, lr}, …}`, as the API reports it). */
export interface ContenderPick {
  readonly runId: string;
  readonly lr: number | null;
}

/** A run of the sweep, as much of it as the report reads. */
export interface SweepRunResult {
  readonly id: string;
  readonly status: string;
  readonly summary: {
    readonly meanSumLoss?: number | null;
    readonly finalLossMean?: number | null;
    readonly sumLossStd?: number | null;
  } | null;
}

/** A loss curve at some steps: the stored mean and its 10–90% band over test problems. */
export interface LossCurvePoints {
  readonly step: readonly number[];
  readonly mean: readonly number[];
  readonly p10?: readonly number[] | null;
  readonly p90?: readonly number[] | null;
}

/** One contender's best run with its curve, ready for a table row and a figure line. */
export interface ContenderResult {
  readonly contender: string;
  readonly learningRate?: number;
  readonly status?: string;
  readonly meanSumLoss: number;
  readonly finalLoss: number;
  /** Standard deviation over test problems of the summed loss, where the run reports it. */
  readonly spread?: number;
  readonly curve?: LossCurvePoints;
}

/** Reads the `loss` curve of a run, at most `maxPoints` points, or undefined if it has none. */
export type LossCurveReader = (
  runId: string,
  maxPoints: number,
) => Promise<LossCurvePoints | undefined>;

/** Joins each contender's pick to its run and its loss curve, in the order of `best`. */
export async function contenderResults(
  best: Readonly<Record<string, ContenderPick>>,
  runs: readonly SweepRunResult[],
  readLossCurve: LossCurveReader,
): Promise<ContenderResult[]> {
  const results: ContenderResult[] = [];
  for (const [contender, pick] of Object.entries(best)) {
    const run = runs.find((candidate) => candidate.id === pick.runId);
    const curve = await readLossCurve(pick.runId, SWEEP_FIGURE_POINTS);
    results.push({
      contender,
      ...(pick.lr === null ? {} : { learningRate: pick.lr }),
      ...(run ? { status: run.status } : {}),
      // A summary stores a non-finite score as null; NaN ranks it with the diverged.
      meanSumLoss: run?.summary?.meanSumLoss ?? Number.NaN,
      finalLoss: run?.summary?.finalLossMean ?? Number.NaN,
      ...(typeof run?.summary?.sumLossStd === 'number' ? { spread: run.summary.sumLossStd } : {}),
      ...(curve ? { curve } : {}),
    });
  }
  return results;
}

/** The rows of {@link formatResultTable}, one per contender. */
export function contenderRows(results: readonly ContenderResult[]): ResultRow[] {
  return results.map(({ contender, learningRate, meanSumLoss, finalLoss, spread, status }) => ({
    label: contender,
    meanSumLoss,
    finalLoss,
    ...(spread === undefined ? {} : { spread }),
    ...(learningRate === undefined ? {} : { learningRate }),
    ...(status === undefined ? {} : { status }),
  }));
}

/** One figure line per contender with a curve: the learned optimizer solid, the rest dashed. */
export function contenderSeries(results: readonly ContenderResult[]): LossSeries[] {
  return results.flatMap(({ contender, curve }) => {
    if (!curve) return [];
    const learned = contender === LEARNED_CONTENDER;
    const band = curve.p10 && curve.p90 ? { lower: [...curve.p10], upper: [...curve.p90] } : {};
    return [
      {
        label: learned ? 'LSTM (learned)' : contender,
        learned,
        steps: [...curve.step],
        mean: [...curve.mean],
        ...band,
      },
    ];
  });
}

/** The sweep's loss figure as SVG, titled by its name (or the start of its id). */
export function renderSweepFigure(
  sweep: { readonly id: string; readonly name: string | null },
  results: readonly ContenderResult[],
): Promise<string> {
  const title = `${sweep.name ?? sweep.id.slice(0, 12)}: loss over test problems`;
  return renderLossFigure({ title, series: contenderSeries(results) });
}
