/**
 * Turns whatever a route throws into `{code, message}` with the status from errors.ts.
 * Unknown errors become INTERNAL and are logged; nothing else about them leaves the server.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import { API_ERRORS, ApiError, type ApiErrorCode, type ErrorBody } from '../errors.js';

const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BODY_NOT_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BODY_NOT_JSON',
};

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
    else if (apiError.code === 'SERVICE_UNAVAILABLE')
      request.log.warn({ err: error }, 'dependency down');

    const body: ErrorBody = {
      code: apiError.code,
      message: apiError.message,
      ...(apiError.details ? { details: apiError.details } : {}),
      requestId: request.id,
    };
    return reply.status(apiError.statusCode).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      code: 'ROUTE_NOT_FOUND',
      message: `No route ${request.method} ${request.url.split('?')[0]}.`,
      requestId: request.id,
    };
    return reply.status(404).send(body);
  });
}

function toApiError(error: FastifyError & { issues?: unknown; limit?: unknown }): ApiError {
  if (error instanceof ApiError) return error;

  if (error.name === 'SpecError' && error.code in API_ERRORS) {
    const details = { issues: error.issues, ...(error.limit ? { limit: error.limit } : {}) };
    return new ApiError(error.code as ApiErrorCode, error.message, details);
  }
  if (error.validation) {
    const where = error.validationContext ?? 'request';
    return new ApiError('REQUEST_INVALID', `Invalid ${where}: ${error.message}.`);
  }
  const mapped = FASTIFY_CODES[error.code];
  if (mapped) return new ApiError(mapped, humanMessage(mapped, error));
  if (isUnavailable(error)) {
    return new ApiError(
      'SERVICE_UNAVAILABLE',
      'A backing service (PostgreSQL or Redis) is unreachable; try again shortly.',
    );
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('REQUEST_INVALID', error.message);
  }
  return new ApiError('INTERNAL', 'The server failed to answer this request.');
}

function humanMessage(code: ApiErrorCode, error: FastifyError): string {
  switch (code) {
    case 'BODY_TOO_LARGE':
      return 'The request body is larger than this server accepts (see API_MAX_BODY_BYTES).';
    case 'UNSUPPORTED_MEDIA_TYPE':
      return 'Send the body as application/json.';
    case 'BODY_NOT_JSON':
      return `The body is not valid JSON: ${error.message}.`;
    default:
      return error.message;
  }
}

const UNAVAILABLE_CODES = new Set(['STORE_UNAVAILABLE', 'ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND']);

function isUnavailable(error: { code?: string; message?: string }): boolean {
  if (error.code && UNAVAILABLE_CODES.has(error.code)) return true;
  return /Connection is closed|Stream isn't writeable|enableOfflineQueue/.test(error.message ?? '');
}
