import { ReportError, ReportErrorCode } from './errors.js';
import type { LossSeries } from './types.js';

function invalid(message: string): ReportError {
  return new ReportError(ReportErrorCode.INVALID_SERIES, message);
}

/**
 * Checks that every series is a curve: `steps`, `mean` and any `lower`/`upper` of one length,
 * and no label twice (a label is a series' identity in the legend and in CSV).
 */
export function assertSeries(series: readonly LossSeries[]): void {
  const seen = new Set<string>();
  for (const { label, steps, mean, lower, upper } of series) {
    if (seen.has(label)) throw invalid(`series "${label}" appears twice`);
    seen.add(label);

    if (mean.length !== steps.length) {
      throw invalid(`series "${label}": ${steps.length} steps but ${mean.length} means`);
    }
    if ((lower === undefined) !== (upper === undefined)) {
      throw invalid(`series "${label}": a spread needs both lower and upper`);
    }
    for (const [name, values] of [
      ['lower', lower],
      ['upper', upper],
    ] as const) {
      if (values !== undefined && values.length !== steps.length) {
        throw invalid(`series "${label}": ${steps.length} steps but ${values.length} ${name}`);
      }
    }
  }
}
