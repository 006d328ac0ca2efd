/** `npm run api`: the HTTP API on HOST:PORT, until SIGTERM or SIGINT. */
import { RunProducer, createRedis } from '@metaopt/queue';
import { createStore } from '@metaopt/store';
import { buildApp } from './app.js';
import { loadApiConfig } from './config.js';

async function main(): Promise<void> {
  const config = loadApiConfig();
  const store = createStore({ databaseUrl: config.databaseUrl });
  const redis = createRedis(config.redisUrl, 'producer');
  const producer = new RunProducer({
    connection: redis,
    prefix: config.queuePrefix,
    attempts: config.runAttempts,
    retryDelayMs: config.runRetryDelayMs,
  });
  const app = await buildApp({ config, store, redis, producer });
  // Without a listener ioredis prints every failed reconnection; one line per outage will do.
  let redisDown = false;
  redis.on('error', (err: Error) => {
    if (!redisDown) app.log.warn({ err }, 'redis unreachable; submissions answer 503');
    redisDown = true;
  });
  redis.on('ready', () => {
    if (redisDown) app.log.info({}, 'redis reachable again');
    redisDown = false;
  });

  const close = async (signal: string) => {
    app.log.info({ signal }, 'shutting down');
    await app.close();
    await producer.close();
    await redis.quit().catch(() => undefined);
    await store.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void close('SIGTERM'));
  process.on('SIGINT', () => void close('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
}

await main();
