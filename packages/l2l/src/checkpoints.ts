/**
 * The checkpoint formats alone, for callers that read and write checkpoints without
 * computing anything (the API): importing them does not load TensorFlow.js.
 */
export { fromTorchStateDict, toTorchStateDict } from './learned/state-dict.js';
export type { LstmStateDict, StateDictEntry } from './learned/state-dict.js';
export type { LstmWeights } from './learned/weights.js';
export { decodeMetaTrainState } from './meta/codec.js';
export { L2lError, L2lErrorCode } from './errors.js';
