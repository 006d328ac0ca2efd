/**
 * Bull Board, the queue's admin UI, at /admin/queues: it can retry, promote and remove jobs,
 * so even looking at it needs a read-write API key (or an API with no keys configured).
 *
 * The check is one function, `access(request)`, given by the caller (auth.ts's `accessOf`).
 * Refusals are sent from the hook itself: Bull Board installs its own error handler in its
 * scope, which would turn a thrown 401 into its own 500.
 */
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Queue } from 'bullmq';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError, type ErrorBody } from '../errors.js';

export const BULL_BOARD_PATH = '/admin/queues';

export interface BullBoardOptions {
  readonly queues: readonly Queue[];
  /** What the request's credentials allow: `write` is needed here. */
  readonly access: (request: FastifyRequest) => 'read' | 'write' | null;
}

export async function registerBullBoard(
  app: FastifyInstance,
  options: BullBoardOptions,
): Promise<void> {
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(BULL_BOARD_PATH);
  createBullBoard({
    queues: options.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
  });

  await app.register(async (scope) => {
    scope.addHook('onRequest', async (request, reply) => {
      const refusal = refusalFor(options.access(request), request);
      if (!refusal) return;
      if (refusal.statusCode === 401) reply.header('www-authenticate', 'Bearer');
      const body: ErrorBody = {
        code: refusal.code,
        message: refusal.message,
        requestId: request.id,
      };
      return reply.status(refusal.statusCode).send(body);
    });
    await scope.register(serverAdapter.registerPlugin(), { prefix: BULL_BOARD_PATH });
  });
}

function refusalFor(access: 'read' | 'write' | null, request: FastifyRequest): ApiError | null {
  if (access === 'write') return null;
  if (access === 'read') {
    return new ApiError('AUTH_FORBIDDEN', 'Bull Board needs a read-write API key.');
  }
  return request.headers.authorization === undefined
    ? new ApiError(
        'AUTH_REQUIRED',
        'Bull Board needs a read-write API key: send it as "Authorization: Bearer <key>".',
      )
    : new ApiError('AUTH_INVALID', 'The API key sent is not one this server accepts.');
}
