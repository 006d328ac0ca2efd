/**
 * Synchronous tensor work that holds its event loop longer than the job's lock lasts
 * (issue 5, fault 3). Fifty quadratics of dimension 1000 are drawn and multiplied in one
 * block of seconds; the lock lasts one second. The sandboxed processor blocks only its own
 * process, so the worker keeps renewing the lock: the job is never taken for stalled, and the
 * second worker standing by never computes it.
 *
 * The same kind of block decides what SIGTERM can do: a job that cannot reach a safe point
 * within the grace period is left to stalled-job recovery, and the worker still exits 0.
 */
import { QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS_QUEUE, createRedis } from '@metaopt/queue';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { linesOf, runReaches, startsByRun, tail } from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices, type TestServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const LOCK_MS = 1000;
const SHORT_LOCKS = {
  WORKER_LOCK_DURATION_MS: String(LOCK_MS),
  WORKER_STALLED_INTERVAL_MS: '1000',
};

const bigQuadratics = (seed: number) => ({
  kind: 'baseline',
  task: { kind: 'quadratic', dim: 1000 },
  optimizer: { name: 'sgd', lr: 0.0001 },
  steps: 3,
  nTests: 50,
  seed,
});

describe('a job whose tensor work blocks for longer than its lock', () => {
  let services: TestServices;
  let api: TestApi;
  let events: QueueEvents;
  const stalled: string[] = [];
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    services = await testServices('long-block');
    api = await startTestApi(services);
    events = new QueueEvents(RUNS_QUEUE, {
      connection: createRedis(services.redisUrl, 'worker'),
      prefix: services.queuePrefix,
    });
    events.on('stalled', ({ jobId }) => stalled.push(jobId));
    await events.waitUntilReady();
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await events?.close();
    await api?.close();
  });

  it('is neither declared stalled nor executed a second time', async () => {
    workers.push(
      spawnWorker(services, { ...SHORT_LOCKS, WORKER_NAME: 'a' }),
      spawnWorker(services, { ...SHORT_LOCKS, WORKER_NAME: 'b' }),
    );
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/runs',
      payload: bigQuadratics(1),
    });
    const { id } = response.json();

    const done = await runReaches(api.store, id, ['succeeded'], 180_000);
    expect(done.attempts).toBe(1);
    expect(startsByRun(workers).get(id)).toBe(1);
    expect(stalled).toEqual([]);
    // The block did outlast the lock (about three times over here).
    const [numerics] = linesOf(workers, 'numerics done', id);
    expect(numerics?.longestBlockMs, tail(workers[0]!) + tail(workers[1]!)).toBeGreaterThan(
      LOCK_MS,
    );
  });

  describe('when SIGTERM comes in the middle of a block longer than the grace period', () => {
    it('exits 0 within the grace period, and the job is finished elsewhere', async () => {
      const [a, b] = workers as [TestWorker, TestWorker];
      await b.stop('SIGKILL');
      const graceful = spawnWorker(services, {
        ...SHORT_LOCKS,
        WORKER_NAME: 'graceful',
        WORKER_SHUTDOWN_GRACE_MS: '300',
      });
      workers.push(graceful);
      await a.stop('SIGTERM');

      const { id } = (
        await api.app.inject({ method: 'POST', url: '/v1/runs', payload: bigQuadratics(2) })
      ).json();
      await runReaches(api.store, id, ['running'], 60_000);
      // Well inside the block: the numerics have started, no step has been reported.
      await pollUntil(
        () => Promise.resolve(linesOf([graceful], 'run started', id).length),
        (started) => started > 0,
        { timeoutMs: 30_000, intervalMs: 20 },
      );
      const termAt = Date.now();
      expect(await graceful.stop('SIGTERM')).toBe(0);
      const exitMs = Date.now() - termAt;
      expect(linesOf([graceful], 'worker stopped')[0]).toMatchObject({ inTime: false });
      // Nobody works on it now, and the record says so.
      expect((await api.store.runs.get(id))?.status).toBe('queued');

      const rescuer = spawnWorker(services, { ...SHORT_LOCKS, WORKER_NAME: 'rescuer' });
      workers.push(rescuer);
      const done = await runReaches(api.store, id, ['succeeded'], 180_000);
      expect(done.worker).toBe('rescuer');

      // On a loaded 2-core machine a process takes seconds to exit, so no fixed bound holds;
      // what matters is that the worker did not wait for the block, which the rescuer
      // measured on the same job.
      const [rescued] = linesOf([rescuer], 'numerics done', id);
      expect(exitMs).toBeLessThan(Number(rescued?.longestBlockMs));
    });
  });
});
