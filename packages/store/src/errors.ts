/**
 * Every way the store refuses or fails, with stable codes: the API maps each to an HTTP status
 * and workers read `retryable` to decide whether another attempt can help.
 */
export const STORE_ERRORS = {
  /** The run, checkpoint or sweep named does not exist. */
  STORE_NOT_FOUND: { retryable: false },
  /** PostgreSQL cannot be reached, or its database does not exist (yet). */
  STORE_UNAVAILABLE: { retryable: true },
  /** Arguments the store cannot accept: a malformed cursor, a curve of the wrong shape, … */
  STORE_INVALID_INPUT: { retryable: false },
  /** A write refers to a record that is not there (e.g. a sweep naming an unknown run). */
  STORE_CONFLICT: { retryable: false },
} as const;

export type StoreErrorCode = keyof typeof STORE_ERRORS;

export class StoreError extends Error {
  override readonly name = 'StoreError';
  readonly retryable: boolean;

  constructor(
    readonly code: StoreErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = STORE_ERRORS[code].retryable;
  }
}

/** Prisma's codes for "cannot connect": P1000–P1017 (see the Prisma error reference). */
const CONNECTION_CODE = /^P10(0\d|1[0-7])$/;
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET']);

// adapter-pg's classification of driver errors, as found in `meta.driverAdapterError.cause`.
const UNAVAILABLE_KINDS = new Set([
  'DatabaseNotReachable',
  'DatabaseDoesNotExist',
  'DatabaseAccessDenied',
  'AuthenticationFailed',
  'SocketTimeout',
  'ConnectionClosed',
  'TooManyConnections',
  'TlsConnectionError',
]);

// pg's own errors for a connection lost under a query, which reach us unwrapped, and the
// server's codes for shutting down (57P01-57P03): the next query reconnects or fails cleanly.
const LOST_CONNECTION = /Connection terminated|Client has encountered a connection error/;
const SHUTDOWN_CODES = new Set(['57P01', '57P02', '57P03']);

interface PrismaLikeError {
  code?: unknown;
  meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
}

/** Puts a Prisma or pg error into the store's terms; StoreErrors and the unknown pass through. */
export function toStoreError(error: unknown): unknown {
  if (error instanceof StoreError || typeof error !== 'object' || error === null) return error;
  const { code, meta } = error as PrismaLikeError;
  const cause = meta?.driverAdapterError?.cause;
  const message = error instanceof Error ? error.message.trim() : String(error);

  const unavailable =
    (typeof code === 'string' && (CONNECTION_CODE.test(code) || SOCKET_CODES.has(code))) ||
    UNAVAILABLE_KINDS.has(cause?.kind as string) ||
    SHUTDOWN_CODES.has(cause?.originalCode as string) ||
    LOST_CONNECTION.test(message);
  if (unavailable) {
    return new StoreError('STORE_UNAVAILABLE', `PostgreSQL is unavailable: ${message}`, {
      cause: error,
    });
  }
  if (code === 'P2003' || cause?.kind === 'ForeignKeyConstraintViolation') {
    return new StoreError('STORE_CONFLICT', message, { cause: error });
  }
  // 23514: a CHECK constraint of the migration refused the row.
  if (cause?.originalCode === '23514') {
    return new StoreError('STORE_INVALID_INPUT', message, { cause: error });
  }
  return error;
}

/** Runs `work`, translating what it throws (see toStoreError). */
export async function translated<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toStoreError(error);
  }
}
