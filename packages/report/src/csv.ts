import { assertSeries } from './series.js';
import type { LossSeries } from './types.js';

const HEADER = ['label', 'learned', 'step', 'mean', 'lower', 'upper'] as const;

/** RFC 4180: a field holding a comma, quote or line break is quoted, quotes doubled. */
function field(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/**
 * Curves as long-format CSV, one row per series and step: `label,learned,step,mean,lower,
 * upper`, the shape plotting tools (pandas, R, Vega) read without reshaping. Values are
 * written in full precision; `NaN` and `Infinity` are kept as such, since a diverged run's
 * values are results too; a series without a spread leaves `lower` and `upper` empty.
 */
export function toCsv(series: readonly LossSeries[]): string {
  assertSeries(series);

  const lines = [HEADER.join(',')];
  for (const { label, learned, steps, mean, lower, upper } of series) {
    steps.forEach((step, i) => {
      const spread = lower && upper ? [String(lower[i]), String(upper[i])] : ['', ''];
      lines.push(
        [field(label), String(learned), String(step), String(mean[i]), ...spread].join(','),
      );
    });
  }
  return `${lines.join('\n')}\n`;
}
