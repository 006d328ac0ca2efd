/**
 * Every error the API answers with, in one place: a stable code, its HTTP status, and a
 * sentence for humans. Errors raised by the packages (spec, store) are mapped here by code.
 */
export const API_ERRORS = {
  REQUEST_INVALID: 400,
  BODY_NOT_JSON: 400,
  SPEC_INVALID: 400,
  SPEC_UNKNOWN_KIND: 400,
  SPEC_INVALID_GRID: 400,
  SPEC_LIMIT_EXCEEDED: 422,
  DATASET_NOT_ALLOWED: 422,
  BODY_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  AUTH_REQUIRED: 401,
  AUTH_INVALID: 401,
  AUTH_FORBIDDEN: 403,
  RATE_LIMITED: 429,
  ROUTE_NOT_FOUND: 404,
  RUN_NOT_FOUND: 404,
  SWEEP_NOT_FOUND: 404,
  COMPARISON_NOT_FOUND: 404,
  CHECKPOINT_NOT_FOUND: 404,
  CHECKPOINT_INVALID: 400,
  FIGURE_NOT_READY: 409,
  RUN_NOT_CANCELLABLE: 409,
  SWEEP_STALE: 409,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ApiErrorCode = keyof typeof API_ERRORS;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;

  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.statusCode = API_ERRORS[code];
  }
}

/** The body of every error response. */
export interface ErrorBody {
  readonly code: ApiErrorCode;
  readonly message: string;
  readonly details?: Record<string, unknown>;
  readonly requestId?: string;
}
