/**
 * Nothing secret reaches the logs: the API and a worker run as real processes, at debug
 * level, with passwords in both connection strings and API keys configured; requests come
 * with the right key, a wrong key and none, a run is computed; then every line either
 * process printed is searched for the keys, their hashes and the passwords.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHash } from '../../apps/api/src/plugins/auth.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const root = resolve(import.meta.dirname, '../..');
const KEY = 'writer-secret-key-9f1c2d';
const WRONG_KEY = 'guessed-secret-key-77ab31';
const DB_PASSWORD = 'Pg-Secret-Passw0rd';
const REDIS_PASSWORD = 'Redis-Secret-Passw0rd';

/** The services' URLs with passwords in them (the test servers do not ask for one). */
function withPasswords(services: TestServices) {
  const database = new URL(services.databaseUrl);
  database.password = DB_PASSWORD;
  const redis = new URL(services.redisUrl);
  redis.password = REDIS_PASSWORD;
  return { DATABASE_URL: database.toString(), REDIS_URL: redis.toString() };
}

describe('logs', () => {
  let services: TestServices;
  let api: ReturnType<typeof spawn>;
  let apiOutput = '';
  let worker: TestWorker;
  let baseUrl: string;

  beforeAll(async () => {
    services = await testServices('secrets');
    const urls = withPasswords(services);
    api = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...urls,
        METAOPT_QUEUE_PREFIX: services.queuePrefix,
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'debug',
        API_KEYS_SHA256: `${apiKeyHash(KEY)}:rw`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout!.on('data', (chunk: Buffer) => (apiOutput += chunk.toString()));
    api.stderr!.on('data', (chunk: Buffer) => (apiOutput += chunk.toString()));
    const listening = await pollUntil(
      async () => /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(apiOutput)?.[1],
      (url) => url !== undefined,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    if (!listening) throw new Error(`the API did not start:\n${apiOutput}`);
    baseUrl = listening;
    worker = spawnWorker(
      { ...services, databaseUrl: urls.DATABASE_URL, redisUrl: urls.REDIS_URL },
      {
        LOG_LEVEL: 'debug',
      },
    );
  });
  afterAll(async () => {
    await worker?.stop();
    if (api && api.exitCode === null) {
      const exited = new Promise((resolveExit) => api.once('exit', resolveExit));
      api.kill('SIGTERM');
      await exited;
    }
  });

  it('never hold a key, its hash or a password', async () => {
    const post = (key?: string) =>
      fetch(`${baseUrl}/v1/runs`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(key ? { authorization: `Bearer ${key}` } : {}),
        },
        body: JSON.stringify({
          kind: 'baseline',
          task: { kind: 'quadratic' },
          optimizer: { name: 'sgd', lr: 0.05 },
          steps: 10,
          nTests: 2,
        }),
      });
    expect((await post()).status).toBe(401);
    expect((await post(WRONG_KEY)).status).toBe(401);
    const accepted = await post(KEY);
    expect(accepted.status).toBe(202);
    const { id } = (await accepted.json()) as { id: string };
    const done = await pollUntil(
      async () => {
        const run = (await (await fetch(`${baseUrl}/v1/runs/${id}`)).json()) as { status: string };
        return run.status;
      },
      (status) => status === 'succeeded',
    );
    expect(done, worker.output().slice(-3000)).toBe('succeeded');
    expect((await fetch(`${baseUrl}/v1/runs/not-a-hash`)).status).toBe(400);
    // The worker logs after it stores, so its last line may still be in the pipe.
    await pollUntil(
      async () => worker.output(),
      (output) => output.includes('run finished'),
      { timeoutMs: 10_000, intervalMs: 50 },
    );

    const logs = apiOutput + worker.output();
    expect(logs).toMatch(/api keys loaded/);
    expect(logs).toMatch(/run finished/);
    for (const secret of [KEY, WRONG_KEY, apiKeyHash(KEY), DB_PASSWORD, REDIS_PASSWORD]) {
      expect(logs.includes(secret), `${secret} appears in the logs`).toBe(false);
    }
  });
});
