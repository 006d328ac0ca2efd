export * from './errors.js';
export * from './limits.js';
export { DATA_DIRS_SETTING, parseDataDirs } from './data-dirs.js';
export * from './schemas.js';
export * from './types.js';
export { normalizeRun, normalizeTask } from './normalize.js';
export { canonicalJson, sha256Hex, runIdOf, isContentId, CONTENT_ID_PATTERN } from './hash.js';
export { planSweep, planRun, type PlannedRun, type SweepPlan } from './sweep.js';
export { bestByContender, contenderOf, type ScoredRun } from './contender.js';
export {
  planComparison,
  taskTitle,
  ComparisonSpecSchema,
  PAPER_LR_GRID,
  CLASSIC_OPTIMIZERS,
  type ComparisonCell,
  type ComparisonLayout,
  type ComparisonPanel,
  type ComparisonPlan,
  type ComparisonSpecInput,
} from './comparison.js';
