/**
 * Per-step statistics over problems, for tables and plots. Losses span orders of magnitude
 * and are plotted on a log scale, where mean ± std goes below zero and cannot be drawn; the
 * quantiles (p10–p90, and min–max) give a band that can. Mean and std (population) include
 * every problem and so turn NaN once one diverges; quantiles, min and max use the finite
 * losses only (NaN when there are none).
 */
import type { LossMatrix } from './loss-matrix.js';

export interface LossCurve {
  readonly mean: number[];
  readonly std: number[];
  readonly p10: number[];
  readonly median: number[];
  readonly p90: number[];
  readonly min: number[];
  readonly max: number[];
}

export interface LossSummary {
  /** Mean over problems of the sum of losses over steps: the paper's (and our) score. */
  readonly meanSumLoss: number;
  /** Mean over problems of the loss before the last step. */
  readonly finalLossMean: number;
  readonly curve: LossCurve;
}

export function summarizeLosses(matrix: LossMatrix): LossSummary {
  const { problems, steps, losses } = matrix;
  const curve: { [K in keyof LossCurve]: number[] } = {
    mean: [],
    std: [],
    p10: [],
    median: [],
    p90: [],
    min: [],
    max: [],
  };
  const column = new Float64Array(problems);
  for (let t = 0; t < steps; t += 1) {
    for (let p = 0; p < problems; p += 1) column[p] = losses[p * steps + t]!;
    const mean = column.reduce((a, b) => a + b, 0) / problems;
    curve.mean.push(mean);
    curve.std.push(Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / problems));
    const finite = column.filter(Number.isFinite).sort();
    curve.p10.push(quantile(finite, 0.1));
    curve.median.push(quantile(finite, 0.5));
    curve.p90.push(quantile(finite, 0.9));
    curve.min.push(finite.length ? finite[0]! : Number.NaN);
    curve.max.push(finite.length ? finite[finite.length - 1]! : Number.NaN);
  }
  return { meanSumLoss: meanSumLoss(matrix), finalLossMean: curve.mean[steps - 1] ?? NaN, curve };
}

export function meanSumLoss({ problems, steps, losses }: LossMatrix): number {
  let total = 0;
  for (let i = 0; i < problems * steps; i += 1) total += losses[i]!;
  return total / problems;
}

/** Linear interpolation between order statistics (NumPy's default), of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (sorted[above]! - sorted[below]!) * (position - below);
}
