import { invalidConfig } from '../errors.js';

/** The coordinatewise LSTM optimizer's settings (Andrychowicz et al. 2016, section 2.1). */
export interface LstmConfig {
  /** Units of each of the two LSTM layers (the paper: 20). */
  readonly hiddenSize: number;
  /** Feed (log|g|/p, sign g) instead of g (the paper's Appendix A, p = 10). */
  readonly preprocess: boolean;
  /** Scale of the output: θ_{t+1} = θ_t + outMul · LSTM output. */
  readonly outMul: number;
}

/** The preprocessing's p: inputs are log|g|/p and sign g for |g| ≥ e^{-p}. */
export const PREPROCESS_FACTOR = 10;

export function lstmInputSize(config: Pick<LstmConfig, 'preprocess'>): 1 | 2 {
  return config.preprocess ? 2 : 1;
}

export function validateLstmConfig(config: LstmConfig): void {
  if (!Number.isInteger(config.hiddenSize) || config.hiddenSize < 1) {
    throw invalidConfig(`hiddenSize must be a positive integer: ${config.hiddenSize}`);
  }
  if (typeof config.preprocess !== 'boolean') throw invalidConfig('preprocess must be a boolean');
  if (!Number.isFinite(config.outMul))
    throw invalidConfig(`outMul must be finite: ${config.outMul}`);
}
