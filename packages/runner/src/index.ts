export { executeRun } from './execute.js';
export type { RunServices } from './services.js';
export type { RunCurve, RunOutcome, RunProgress, RunSummary } from './outcome.js';
export { executeGrid, GridMismatchError } from './grid.js';
