/**
 * Requests per caller per time window, with @fastify/rate-limit: a caller is its API key when
 * it sends one the server knows, its address otherwise, so one busy key cannot starve the
 * others behind the same proxy and guessing keys is limited per address. Registered before
 * the auth guard, so refused keys count too. Answers 429 RATE_LIMITED with Retry-After.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { ApiError } from '../errors.js';
import { apiKeyOf } from './auth.js';

export interface RateLimitSettings {
  /** Requests per caller per window; 0 turns limiting off. */
  readonly max: number;
  readonly windowMs: number;
}

export async function registerRateLimit(
  app: FastifyInstance,
  settings: RateLimitSettings,
): Promise<void> {
  if (settings.max === 0) return;
  await app.register(rateLimit, {
    max: settings.max,
    timeWindow: settings.windowMs,
    keyGenerator: (request) => {
      const key = apiKeyOf(request);
      return key ? `key:${key.id}` : `address:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new ApiError(
        'RATE_LIMITED',
        `Too many requests: at most ${context.max} per ${settings.windowMs / 1000} s ` +
          `per API key or address; retry in ${context.after}.`,
        { max: context.max, windowMs: settings.windowMs },
      ),
  });
}
