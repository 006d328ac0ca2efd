export { NUMERICS_VERSION } from './numerics-version.js';
export { L2lError, L2lErrorCode } from './errors.js';

export { initBackend, BACKEND_PREFERENCE } from './backend/init-backend.js';
export type { BackendChoice, BackendInfo, BackendName } from './backend/init-backend.js';

export { prepareTask } from './tasks/task.js';
export { mlpLayout } from './tasks/mlp.js';
export type { MlpLayout, MlpParam } from './tasks/mlp.js';
export type {
  DataSplitName,
  MnistTaskConfig,
  QuadraticTaskConfig,
  Task,
  TaskBatch,
  TaskConfig,
  TaskInstance,
} from './tasks/types.js';

export { classicOptimizer, CLASSIC_DEFAULTS } from './optimizers/classic.js';
export type {
  ClassicConfig,
  ClassicName,
  Optimizer,
  OptimizerState,
  OptimizerStep,
} from './optimizers/types.js';

export type { LstmConfig } from './learned/config.js';
export { lstmOptimizer, lstmParams, phiTensor } from './learned/lstm-optimizer.js';
export type { LstmParams, LstmState } from './learned/lstm-optimizer.js';
export {
  LSTM_WEIGHT_NAMES,
  initLstmWeights,
  lstmWeightCount,
  lstmWeightShapes,
  packLstmWeights,
  unpackLstmWeights,
} from './learned/weights.js';
export type { LstmWeightName, LstmWeights } from './learned/weights.js';
export { fromTorchStateDict, toTorchStateDict } from './learned/state-dict.js';
export type { LstmStateDict, StateDictEntry } from './learned/state-dict.js';

export { metaTrain } from './meta/meta-train.js';
export type { MetaTrainHooks, MetaTrainResult } from './meta/meta-train.js';
export { META_DEFAULTS } from './meta/config.js';
export type { MetaTrainConfig } from './meta/config.js';
export type { EpochMetrics, MetaAdamState, MetaTrainState } from './meta/state.js';
export { decodeMetaTrainState, encodeMetaTrainState } from './meta/codec.js';

export { evaluateOptimizer, MAX_BATCH_COORDS } from './eval/evaluate.js';
export { evaluateLearningRates } from './eval/learning-rates.js';
export type { EvaluateHooks, EvaluateOptions, EvaluatedOptimizer } from './eval/evaluate.js';
export type { LossMatrix } from './eval/loss-matrix.js';
export { summarizeLosses, meanSumLoss } from './eval/summarize.js';
export type { LossCurve, LossSummary } from './eval/summarize.js';
export { problemSeeds, Random } from './random.js';
