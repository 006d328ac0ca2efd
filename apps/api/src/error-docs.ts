/**
 * Errors as the OpenAPI document shows them: which codes each route can answer, under which
 * status, with an example of each. Routes declare their codes with {@link errorResponses};
 * a test checks that every code in errors.ts appears in the document.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { API_ERRORS, type ApiErrorCode } from './errors.js';

/** A message of the kind each code carries; the document's examples. */
export const ERROR_EXAMPLES: Record<ApiErrorCode, string> = {
  REQUEST_INVALID: 'Invalid params: params/id must match pattern "^[0-9a-f]{64}$".',
  BODY_NOT_JSON: 'The body is not valid JSON: Unexpected end of JSON input.',
  SPEC_INVALID: 'Invalid spec at /steps: must be >= 1.',
  SPEC_UNKNOWN_KIND: 'Unknown run kind "meta": expected baseline, meta-train or evaluate.',
  SPEC_INVALID_GRID: 'Grid key "optimizer..lr" is not a path.',
  SPEC_LIMIT_EXCEEDED: 'The sweep expands into 5000 runs, over the limit maxGridCells = 1000.',
  DATASET_NOT_ALLOWED:
    'task/dataset/idxDir is outside every directory this server reads datasets from ' +
    '(its operator lists them in METAOPT_DATA_DIRS).',
  BODY_TOO_LARGE: 'The request body is larger than this server accepts (see API_MAX_BODY_BYTES).',
  UNSUPPORTED_MEDIA_TYPE: 'Send the body as application/json.',
  AUTH_REQUIRED: 'Writing needs an API key: send it as "Authorization: Bearer <key>".',
  AUTH_INVALID: 'The API key sent is not one this server accepts.',
  AUTH_FORBIDDEN: 'The API key sent is read-only; writing needs a read-write key.',
  RATE_LIMITED: 'Too many requests: at most 1200 per 60 s per API key or address; retry in 12 s.',
  ROUTE_NOT_FOUND: 'No route GET /v2/runs.',
  RUN_NOT_FOUND: 'No run 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.',
  SWEEP_NOT_FOUND: 'No sweep 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.',
  COMPARISON_NOT_FOUND:
    'No comparison 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.',
  CHECKPOINT_NOT_FOUND:
    'No checkpoint 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.',
  CHECKPOINT_INVALID: 'invalid LSTM state_dict: recurs.weight_hh must have shape [80, 20]',
  FIGURE_NOT_READY:
    'No run of this sweep has finished with a loss curve yet: there is nothing to draw.',
  RUN_NOT_CANCELLABLE:
    'Run 9f86d081…0a08 has already finished (succeeded); there is nothing to cancel.',
  SWEEP_STALE:
    'Sweep 9f86d081…0a08 was planned by another version of the numerics; ' +
    'submit its definition again.',
  SERVICE_UNAVAILABLE: 'A backing service (PostgreSQL or Redis) is unreachable; try again shortly.',
  INTERNAL: 'The server failed to answer this request.',
};

/** Codes any route may answer: the server failing, or PostgreSQL or Redis being down. */
const ALWAYS: readonly ApiErrorCode[] = ['INTERNAL', 'SERVICE_UNAVAILABLE'];

/** Codes every route that validates params or a query string may answer. */
export const QUERY_ERRORS: readonly ApiErrorCode[] = ['REQUEST_INVALID'];

/** Codes of a route that takes a run or sweep spec as its body. */
export const SPEC_BODY_ERRORS: readonly ApiErrorCode[] = [
  'REQUEST_INVALID',
  'BODY_NOT_JSON',
  'SPEC_INVALID',
  'SPEC_UNKNOWN_KIND',
  'SPEC_LIMIT_EXCEEDED',
  'DATASET_NOT_ALLOWED',
  'BODY_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
];

/**
 * The error part of a route's `response` schema: one entry per status, listing its codes.
 * `code` is a plain string with an `enum` for readers, not a union: the serializer would
 * refuse a code the list forgot instead of sending it.
 */
export function errorResponses(...codes: readonly ApiErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, ApiErrorCode[]>();
  for (const code of new Set([...codes, ...ALWAYS])) {
    const status = API_ERRORS[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, statusCodes]) => [status, errorBody(statusCodes)]),
  );
}

function errorBody(codes: readonly ApiErrorCode[]): TSchema {
  return Type.Object(
    {
      code: Type.Unsafe<string>({ type: 'string', enum: [...codes] }),
      message: Type.String(),
      details: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
      requestId: Type.Optional(Type.String()),
    },
    {
      description: codes.join(', '),
      examples: codes.map((code) => ({
        code,
        message: ERROR_EXAMPLES[code],
        requestId: '1d5c2a2e-6a44-4f6e-9b8e-2b1f2f0a9c11',
      })),
    },
  );
}
