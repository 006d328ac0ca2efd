export type { LossSeries, LossFigureInput, ResultRow } from './types.js';
export { ReportError, ReportErrorCode } from './errors.js';
export { lossFigureSpec, renderLossFigure } from './figure.js';
