import { L2lError, L2lErrorCode } from '../errors.js';
import { lstmInputSize } from '../learned/config.js';
import { lstmWeightCount } from '../learned/weights.js';
import { NUMERICS_VERSION } from '../numerics-version.js';
import type { ResolvedMetaTrainConfig } from './config.js';
import type { MetaTrainState } from './state.js';

/** Refuses a state that cannot continue this config bit-identically. */
export function checkResumable(
  state: MetaTrainState,
  cfg: ResolvedMetaTrainConfig,
): MetaTrainState {
  const refuse = (why: string): never => {
    throw new L2lError(L2lErrorCode.INVALID_STATE, `cannot resume: ${why}`);
  };
  if (state.numericsVersion !== NUMERICS_VERSION) {
    refuse(`written by numerics ${state.numericsVersion}, this is ${NUMERICS_VERSION}`);
  }
  const inputSize = lstmInputSize(cfg.learned);
  const { hiddenSize } = cfg.learned;
  for (const weights of [state.weights, ...(state.best ? [state.best] : [])]) {
    if (weights.inputSize !== inputSize || weights.hiddenSize !== hiddenSize) {
      refuse('the LSTM shape differs from the config');
    }
  }
  const n = lstmWeightCount(inputSize, hiddenSize);
  if (state.metaAdam.m.length !== n || state.metaAdam.v.length !== n) {
    refuse(`the meta-optimizer state must hold ${n} values`);
  }
  if (state.rolloutsDone > cfg.rolloutsPerEpoch || state.epochs.length !== state.epochsDone) {
    refuse('its progress does not fit the config');
  }
  if (state.rngState.length !== 4) refuse('bad random state');
  return state;
}
