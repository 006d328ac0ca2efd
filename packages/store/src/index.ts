export { createStore, type Store, type StoreOptions } from './store.js';
export { createPrismaClient, type ClientOptions, type PrismaClient } from './client.js';
export { createRunRepository, type FinishInput, type RunRepository } from './runs.js';
export { createCurveRepository, type CurveRepository } from './curves.js';
export { createCheckpointRepository, type CheckpointRepository } from './checkpoints.js';
export {
  createComparisonRepository,
  type ComparisonRecord,
  type ComparisonRepository,
  type ComparisonStatus,
} from './comparisons.js';
export { createSweepRepository, type NewSweep, type SweepRepository } from './sweeps.js';
export { StoreError, STORE_ERRORS, type StoreErrorCode } from './errors.js';
export { sampleSteps } from './downsample.js';
export { DEFAULT_DATABASE_URL } from './config.js';
export * from './types.js';
