import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ApiDeps } from '../app.js';

const PROBE_TIMEOUT_MS = 2000;

/** Liveness says the process answers; readiness says its PostgreSQL and Redis answer too. */
export function healthRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/healthz', { schema: { summary: 'Liveness' } }, async () => ({ status: 'ok' }));

    app.get(
      '/readyz',
      { schema: { summary: 'Readiness: PostgreSQL and Redis reachable' } },
      async (_request, reply) => {
        const [postgres, redis] = await Promise.all([
          probe(() => deps.store.ping()),
          probe(async () => void (await deps.redis.ping())),
        ]);
        const ready = postgres && redis;
        const checks = { postgres: postgres ? 'ok' : 'down', redis: redis ? 'ok' : 'down' };
        if (ready) return { status: 'ready', checks };
        return reply.status(503).send({
          code: 'SERVICE_UNAVAILABLE',
          message: 'Not ready: a backing service is unreachable.',
          details: { checks },
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
