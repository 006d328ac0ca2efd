/** An API app built per test against the real services, closed with everything it opened. */
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../apps/api/src/app.js';
import { loadApiConfig } from '../../apps/api/src/config.js';
import { RunProducer, createRedis } from '@metaopt/queue';
import { createStore, type Store } from '@metaopt/store';
import type { Redis } from 'ioredis';
import type { TestServices } from './services.js';

export interface TestApi {
  readonly app: FastifyInstance;
  readonly store: Store;
  readonly producer: RunProducer;
  readonly redis: Redis;
  close(): Promise<void>;
}

export async function startTestApi(
  services: TestServices,
  env: Record<string, string> = {},
  /** `logger`: Fastify's logger options, to read the API's log lines; none by default. */
  options: { logger?: object } = {},
): Promise<TestApi> {
  const config = loadApiConfig({
    DATABASE_URL: services.databaseUrl,
    REDIS_URL: services.redisUrl,
    METAOPT_QUEUE_PREFIX: services.queuePrefix,
    ...env,
  });
  const store = createStore({ databaseUrl: config.databaseUrl });
  const redis = createRedis(config.redisUrl, 'producer');
  const producer = new RunProducer({
    connection: redis,
    prefix: config.queuePrefix,
    attempts: config.runAttempts,
    retryDelayMs: config.runRetryDelayMs,
  });
  const app = await buildApp({ config, store, redis, producer, logger: options.logger ?? false });
  await app.ready();

  return {
    app,
    store,
    producer,
    redis,
    async close() {
      await app.close();
      await producer.queue.obliterate({ force: true }).catch(() => undefined);
      await producer.close();
      await redis.quit();
      await store.close();
    },
  };
}
