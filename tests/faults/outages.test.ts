/**
 * Redis, then PostgreSQL, unreachable for 30 s each while runs are in flight (issue 5, fault
 * 8). The API and two workers reach both through TCP proxies that the test cuts: the API
 * answers 503 SERVICE_UNAVAILABLE naming the service and fails readiness, the workers wait and
 * reconnect, and every run finishes afterwards, each computed once.
 *
 * FAULT_OUTAGE_MS shortens the outages for a quick local run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store } from '@metaopt/store';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { runReaches, startsByRun, tail } from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { proxyFor, type Outage } from '../helpers/proxy.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const OUTAGE_MS = Number(process.env.FAULT_OUTAGE_MS ?? 30_000);

const sweepOf = (name: string, seed: number) => ({
  name,
  base: { task: { kind: 'quadratic' }, steps: 100, nTests: 4, seed },
  blocks: [
    {
      with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } },
      grid: { 'optimizer.lr': [0.1, 0.03, 0.01] },
    },
    {
      with: { kind: 'meta-train', epochs: 6, rolloutsPerEpoch: 4, unroll: 20 },
    },
  ],
});

describe('backing services unreachable for a while', () => {
  let services: TestServices;
  let postgres: Outage;
  let redis: Outage;
  let api: TestApi;
  /** Straight to PostgreSQL, past the proxy, for the test's own reading. */
  let direct: Store;
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    services = await testServices('outages');
    postgres = await proxyFor(services.databaseUrl, 5432);
    redis = await proxyFor(services.redisUrl, 6379);
    const through = { DATABASE_URL: postgres.url, REDIS_URL: redis.url };
    api = await startTestApi(services, through);
    direct = createStore({ databaseUrl: services.databaseUrl });
    for (const name of ['w1', 'w2']) {
      workers.push(spawnWorker({ ...services, ...toServices(through) }, { WORKER_NAME: name }));
    }
  });
  afterAll(async () => {
    await postgres?.restore().catch(() => undefined);
    await redis?.restore().catch(() => undefined);
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await api?.close();
    await direct?.close();
    await postgres?.close();
    await redis?.close();
  });

  const get = (url: string) => api.app.inject({ method: 'GET', url });
  const postSweep = (name: string, seed: number) =>
    api.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweepOf(name, seed) });

  it('answers 503 meanwhile, and every run finishes afterwards, once', async () => {
    const first = (await postSweep('before', 1)).json();
    const runIds: string[] = first.runs.map((run: { id: string }) => run.id);
    const trainer = first.runs.find((run: { kind: string }) => run.kind === 'meta-train').id;
    await runReaches(direct, trainer, ['running'], 60_000);

    // 1. Redis goes away: submissions are refused, reads from PostgreSQL still work.
    const redisCutAt = Date.now();
    await redis.cut();
    const refused = await postSweep('during-redis', 2);
    expect(refused.statusCode).toBe(503);
    expect(refused.json()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { service: 'redis' },
    });
    expect(refused.headers['retry-after']).toBeDefined();
    const notReady = await get('/readyz');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json().details.checks).toEqual({ postgres: 'ok', redis: 'down' });
    expect((await get(`/v1/runs/${trainer}`)).statusCode).toBe(200);
    await sleepUntil(redisCutAt + OUTAGE_MS);
    await redis.restore();

    // 2. Back: the refused sweep can be submitted now.
    const second = await pollUntil(
      () => postSweep('during-redis', 2),
      (response) => response.statusCode === 202,
      { timeoutMs: 20_000, intervalMs: 500 },
    );
    expect(second.statusCode).toBe(202);
    runIds.push(...second.json().runs.map((run: { id: string }) => run.id));

    // 3. PostgreSQL goes away: every route that needs it answers 503, naming it.
    const pgCutAt = Date.now();
    await postgres.cut();
    const unreadable = await get(`/v1/runs/${trainer}`);
    expect(unreadable.statusCode).toBe(503);
    expect(unreadable.json()).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      details: { service: 'postgresql' },
    });
    const stillNotReady = await get('/readyz');
    expect(stillNotReady.statusCode).toBe(503);
    expect(stillNotReady.json().details.checks).toEqual({ postgres: 'down', redis: 'ok' });
    expect((await postSweep('during-postgres', 3)).statusCode).toBe(503);
    await sleepUntil(pgCutAt + OUTAGE_MS);
    await postgres.restore();

    // 4. Everything finishes, each run computed by one worker, once, with nothing lost.
    for (const id of runIds) {
      const run = await runReaches(direct, id, ['succeeded'], 300_000).catch((error) => {
        throw new Error(`${error}\n${workers.map((w) => tail(w, 3000)).join('\n')}`);
      });
      expect(run.attempts).toBe(1);
      expect(await direct.curves.get(id)).toHaveLength(1);
    }
    const starts = startsByRun(workers);
    for (const id of runIds) expect(starts.get(id)).toBe(1);
    expect((await get('/readyz')).statusCode).toBe(200);
  });
});

function toServices(urls: { DATABASE_URL: string; REDIS_URL: string }) {
  return { databaseUrl: urls.DATABASE_URL, redisUrl: urls.REDIS_URL };
}

async function sleepUntil(timeMs: number): Promise<void> {
  const waitMs = timeMs - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}
