/**
 * Every error this package throws, each with a stable code. Neither is worth a retry on the
 * same machine: a missing or damaged file stays so until someone installs or replaces it.
 */
export const DatasetErrorCode = {
  /** A directory or one of its expected files does not exist. */
  NOT_FOUND: 'DATASET_NOT_FOUND',
  /** A file exists but is not valid IDX or JSON digit data, or disagrees with its pair. */
  CORRUPT: 'DATASET_CORRUPT',
  /** The caller asked for something no loader can give (an unknown source, a bad seed). */
  INVALID_OPTIONS: 'DATASET_INVALID_OPTIONS',
} as const;

export type DatasetErrorCode = (typeof DatasetErrorCode)[keyof typeof DatasetErrorCode];

export class DatasetError extends Error {
  override readonly name = 'DatasetError';
  readonly code: DatasetErrorCode;
  /** The file or directory at fault, so the message can be acted on without a stack trace. */
  readonly path: string | undefined;

  constructor(
    code: DatasetErrorCode,
    message: string,
    options?: { path?: string; cause?: unknown },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.path = options?.path;
  }
}
