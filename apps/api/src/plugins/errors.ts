/**
 * Turns whatever a route throws into `{code, message}` with the status from errors.ts.
 * Unknown errors become INTERNAL and are logged; nothing else about them leaves the server.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { API_ERRORS, ApiError, type ApiErrorCode, type ErrorBody } from '../errors.js';

const FASTIFY_CODES: Record<string, ApiErrorCode> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'REQUEST_INVALID',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'BODY_NOT_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'BODY_NOT_JSON',
};

const RETRY_AFTER_S = 5;

/**
 * Fastify's `frameworkErrors`: requests the router refuses before any route sees them (a
 * path parameter over maxParamLength, a malformed percent-encoding) get the same body as
 * every other error instead of Fastify's own.
 */
export function answerFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'A path parameter is longer than any id (ids are 64 hexadecimal digits).'
      : 'The URL is not valid: a part of its path is not properly percent-encoded.';
  const body: ErrorBody = { code: 'REQUEST_INVALID', message, requestId: request.id };
  void reply.status(API_ERRORS.REQUEST_INVALID).send(body);
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const apiError = toApiError(error);
    if (apiError.code === 'INTERNAL') request.log.error({ err: error }, 'request failed');
    else if (apiError.code === 'SERVICE_UNAVAILABLE')
      request.log.warn({ err: error }, 'dependency down');

    // A client should come back once the outage is over, not at once.
    if (apiError.statusCode === 503) void reply.header('retry-after', RETRY_AFTER_S);
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
  // The store refuses a cursor it did not hand out; to a client that is a bad query.
  if (error.name === 'StoreError' && error.code === 'STORE_INVALID_INPUT') {
    return new ApiError('REQUEST_INVALID', error.message);
  }
  if (error.validation) {
    return new ApiError('REQUEST_INVALID', validationMessage(error));
  }
  const mapped = FASTIFY_CODES[error.code];
  if (mapped) return new ApiError(mapped, humanMessage(mapped, error));
  const down = unavailableService(error);
  if (down) {
    return new ApiError(
      'SERVICE_UNAVAILABLE',
      `${down === 'postgresql' ? 'PostgreSQL (the run records)' : 'Redis (the job queue)'} ` +
        'is unreachable; nothing was lost, try again shortly.',
      { service: down },
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

const SOCKET_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ENOTFOUND', 'ECONNRESET']);

/** Which backing service an error says is down: the store's errors name PostgreSQL. */
function unavailableService(error: {
  name?: string;
  code?: string;
  message?: string;
}): 'postgresql' | 'redis' | null {
  if (error.code === 'STORE_UNAVAILABLE') return 'postgresql';
  if (error.code && SOCKET_CODES.has(error.code)) return 'redis';
  const redisDown = /Connection is closed|Stream isn't writeable|enableOfflineQueue|ECONNREFUSED/;
  return redisDown.test(error.message ?? '') ? 'redis' : null;
}

/** The first problem Ajv found, as a sentence naming the parameter and what it must be. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  const where = error.validationContext ?? 'request';
  if (!first) return `Invalid ${where}.`;
  const field = first.instancePath.replace(/^\//, '').replaceAll('/', '.');
  const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues;
  const suffix = allowed ? `: ${allowed.join(', ')}` : '';
  return `Invalid ${where}${field ? ` parameter ${field}` : ''}: ${first.message}${suffix}.`;
}
