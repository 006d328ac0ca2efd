/**
 * Global setup of the `integration` project: real PostgreSQL and Redis for one test run.
 *
 * Steps: find each server (DATABASE_URL / REDIS_URL when set, in the environment or in the
 * repository's `.env` as the apps read it, else the local default ports, else containers
 * started with testcontainers, else fail saying what to do); migrate a fresh template database
 * with the same code as `npm run db:migrate`; copy it into the database the test files share,
 * `metaopt_test_<random>`; hand its URL, the Redis URL and a queue-prefix base unique to the run
 * to the tests (`inject('databaseUrl' | 'redisUrl' | 'queuePrefix')`); drop the run's databases
 * afterwards. A file that needs a database of its own calls `ownDatabase()`
 * from ./databases.ts.
 */
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { Redis } from 'ioredis';
import type { TestProject } from 'vitest/node';
import { migrate } from '../../scripts/migrate.js';
import { loadDotEnv } from '../../scripts/prisma.js';
import { copyDatabase, dropDatabases, withDatabase } from './databases.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** This run's own database, migrated, shared by the test files. */
    databaseUrl: string;
    /** The migrated database that the others are copies of; never connect to it. */
    databaseTemplateUrl: string;
    redisUrl: string;
    /** Unique to this run; add a suffix per test file or queue. */
    queuePrefix: string;
  }
}

loadDotEnv();
const DATABASE_URL = process.env.DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const LOCAL_POSTGRES = 'postgresql://root@127.0.0.1:5432/test';
const LOCAL_REDIS = 'redis://127.0.0.1:6379';

interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

function answers(url: string, defaultPort: number): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) || defaultPort, timeout: 1000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

async function startContainer(
  image: string,
  port: number,
  env: Record<string, string>,
  ready: RegExp,
) {
  // Imported only here: testcontainers is slow to load and useless without Docker.
  const { GenericContainer, Wait } = await import('testcontainers');
  try {
    return await new GenericContainer(image)
      .withEnvironment(env)
      .withExposedPorts(port)
      .withWaitStrategy(Wait.forLogMessage(ready, image.startsWith('postgres') ? 2 : 1))
      .start();
  } catch (error) {
    throw new Error(
      `No ${image.split(':')[0]} server for the integration tests: none answers on the default ` +
        'port, the URL variable is unset, and starting a container failed. Start one, or set ' +
        `DATABASE_URL / REDIS_URL. (${(error as Error).message})`,
      { cause: error },
    );
  }
}

async function postgresServer(): Promise<Server> {
  if (DATABASE_URL) return { url: DATABASE_URL, stop: async () => {} };
  if (await answers(LOCAL_POSTGRES, 5432)) return { url: LOCAL_POSTGRES, stop: async () => {} };

  const container = await startContainer(
    'postgres:15-alpine',
    5432,
    { POSTGRES_USER: 'root', POSTGRES_DB: 'test', POSTGRES_HOST_AUTH_METHOD: 'trust' },
    /database system is ready to accept connections/,
  );
  const url = `postgresql://root@${container.getHost()}:${container.getMappedPort(5432)}/test`;
  return { url, stop: async () => void (await container.stop()) };
}

async function redisServer(): Promise<Server> {
  if (REDIS_URL) return { url: REDIS_URL, stop: async () => {} };
  if (await answers(LOCAL_REDIS, 6379)) return { url: LOCAL_REDIS, stop: async () => {} };

  const container = await startContainer('redis:7-alpine', 6379, {}, /Ready to accept connections/);
  const url = `redis://${container.getHost()}:${container.getMappedPort(6379)}`;
  return { url, stop: async () => void (await container.stop()) };
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const [postgres, redis] = await Promise.all([postgresServer(), redisServer()]);

  const runId = randomBytes(4).toString('hex');
  const prefix = `metaopt_test_${runId}`;
  const templateUrl = withDatabase(postgres.url, `${prefix}_template`);
  const queuePrefix = `mt-${runId}`;
  const teardown = async () => {
    await dropDatabases(postgres.url, prefix);
    await dropKeys(redis.url, queuePrefix);
    await Promise.all([postgres.stop(), redis.stop()]);
  };
  let databaseUrl: string;
  try {
    await migrate({ databaseUrl: templateUrl, quiet: true });
    databaseUrl = await copyDatabase(templateUrl, prefix, postgres.url);
  } catch (error) {
    await teardown();
    throw error;
  }

  project.provide('databaseUrl', databaseUrl);
  project.provide('databaseTemplateUrl', templateUrl);
  project.provide('redisUrl', redis.url);
  project.provide('queuePrefix', queuePrefix);

  return teardown;
}

/**
 * Every Redis key under this run's queue prefixes: the files that start an API in-process
 * obliterate their queues, but not the ones that spawn one or use a queue of their own.
 */
async function dropKeys(redisUrl: string, queuePrefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const stream = redis.scanStream({ match: `${queuePrefix}-*`, count: 500 });
    for await (const keys of stream as AsyncIterable<string[]>) {
      if (keys.length > 0) await redis.unlink(...keys);
    }
  } finally {
    redis.disconnect();
  }
}
