/**
 * Every error the numerics throw, each with a stable code that clients match on. `retryable`
 * says whether running the same job elsewhere can help: only a missing backend can, since
 * another worker may have it; a bad config, weights or checkpoint stays bad wherever it runs.
 */
export const L2lErrorCode = {
  /** The requested TensorFlow.js backend could not be loaded or selected here. */
  BACKEND_UNAVAILABLE: 'L2L_BACKEND_UNAVAILABLE',
  /** A task, optimizer or meta-training setting is out of range or inconsistent. */
  INVALID_CONFIG: 'L2L_INVALID_CONFIG',
  /** An MNIST task was run without its `DatasetSplit`. */
  DATA_REQUIRED: 'L2L_DATA_REQUIRED',
  /** LSTM weights (or a state_dict) have missing names, wrong shapes or non-numbers. */
  INVALID_WEIGHTS: 'L2L_INVALID_WEIGHTS',
  /** A meta-training checkpoint is damaged or belongs to another setup or numerics version. */
  INVALID_STATE: 'L2L_INVALID_STATE',
} as const;

export type L2lErrorCode = (typeof L2lErrorCode)[keyof typeof L2lErrorCode];

export class L2lError extends Error {
  override readonly name = 'L2lError';
  readonly code: L2lErrorCode;
  readonly retryable: boolean;

  constructor(code: L2lErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = code === L2lErrorCode.BACKEND_UNAVAILABLE;
  }
}

export function invalidConfig(message: string): L2lError {
  return new L2lError(L2lErrorCode.INVALID_CONFIG, message);
}
