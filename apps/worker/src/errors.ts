/**
 * Errors a job can end with. `retryable` decides whether BullMQ tries again: an infrastructure
 * hiccup may pass, a spec that cannot be computed will not.
 */
export type WorkerErrorCode =
  'JOB_PAYLOAD_INVALID' | 'TRAINED_OPTIMIZER_MISSING' | 'CHECKPOINT_NOT_FOUND' | 'RUN_FAILED';

export class WorkerError extends Error {
  override readonly name = 'WorkerError';

  constructor(
    readonly code: WorkerErrorCode,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}
