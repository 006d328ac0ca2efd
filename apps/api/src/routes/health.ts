import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { ApiDeps } from '../app.js';
import { errorResponses } from '../error-docs.js';
import { ApiError } from '../errors.js';

const Check = Type.Union([Type.Literal('ok'), Type.Literal('down')]);

const PROBE_TIMEOUT_MS = 2000;

/** Liveness says the process answers; readiness says its PostgreSQL and Redis answer too. */
export function healthRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          summary: 'Liveness',
          tags: ['health'],
          response: { 200: Type.Object({ status: Type.Literal('ok') }), ...errorResponses() },
        },
      },
      async () => ({ status: 'ok' as const }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          summary: 'Readiness: PostgreSQL and Redis reachable',
          tags: ['health'],
          response: {
            200: Type.Object({
              status: Type.Literal('ready'),
              checks: Type.Object({ postgres: Check, redis: Check }),
            }),
            ...errorResponses('SERVICE_UNAVAILABLE'),
          },
        },
      },
      async () => {
        const [postgres, redis] = await Promise.all([
          probe(() => deps.store.ping()),
          probe(async () => void (await deps.redis.ping())),
        ]);
        const ready = postgres && redis;
        const checks = {
          postgres: postgres ? ('ok' as const) : ('down' as const),
          redis: redis ? ('ok' as const) : ('down' as const),
        };
        if (ready) return { status: 'ready' as const, checks };
        throw new ApiError('SERVICE_UNAVAILABLE', 'Not ready: a backing service is unreachable.', {
          checks,
        });
      },
    );
  };
}

async function probe(check: () => Promise<void>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([check().then(() => true), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
