export type { LossSeries, LossFigureInput, ResultRow } from './types.js';
export { ReportError, ReportErrorCode } from './errors.js';
export { lossFigureSpec, renderLossFigure } from './figure.js';
export { formatResultTable, sortResultRows, isDiverged } from './table.js';
export { toCsv } from './csv.js';
export { formatNumber } from './format.js';
export {
  SWEEP_FIGURE_POINTS,
  contenderResults,
  contenderRows,
  contenderSeries,
  renderSweepFigure,
  type ContenderPick,
  type ContenderResult,
  type LossCurvePoints,
  type LossCurveReader,
  type SweepRunResult,
} from './sweep.js';
export {
  comparisonResult,
  panelMarkdown,
  renderComparisonFigures,
  type CellResult,
  type ComparisonResult,
  type ComparisonRun,
  type CurveReader,
  type Layout,
  type LayoutCell,
  type LayoutPanel,
  type PanelResult,
} from './comparison.js';
