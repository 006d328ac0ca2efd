export {
  RUNS_QUEUE,
  DEFAULT_QUEUE_PREFIX,
  EVENTS_MAX_LEN,
  MEMBER_EVENT_PREFIX,
  cancellationChannel,
} from './names.js';
export type { RunJobData, RunJobResult } from './payload.js';
export { createRedis } from './connection.js';
export { RunProducer, type RunProducerOptions } from './producer.js';
export {
  ComparisonProducer,
  COMPARISON_JOB,
  GRID_JOB,
  comparisonJobId,
  gridKey,
  type ComparisonEnqueued,
  type ComparisonJobData,
  type ComparisonProducerOptions,
  type GridJobData,
} from './comparison.js';
