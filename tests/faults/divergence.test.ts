/**
 * Losses that become NaN or infinite (issue 5, fault 5), from real inputs: SGD at lr = 1000
 * on the quadratic, and meta-training on a quadratic whose W has an entry of 1e20. Either is
 * a result, not a crash: the run ends `diverged` with the step, is stored, is answered from
 * the store next time, is never retried, and no non-finite score becomes the best checkpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { linesOf, runReaches, startsByRun } from '../helpers/faults.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const exploding = {
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'sgd', lr: 1000 },
  steps: 30,
  nTests: 4,
  seed: 2,
};

const explodingMetaTrain = {
  kind: 'meta-train',
  task: {
    kind: 'quadratic',
    W: [
      [1e20, 0],
      [0, 1],
    ],
    y: [1, 1],
  },
  epochs: 3,
  rolloutsPerEpoch: 2,
  steps: 20,
  unroll: 10,
  nTests: 4,
};

describe('a run whose loss becomes NaN or infinite', () => {
  let api: TestApi;
  let worker: TestWorker;

  beforeAll(async () => {
    const services = await testServices('divergence');
    // Retries that could happen fast enough to be seen, were anything retried.
    api = await startTestApi(services, { RUN_ATTEMPTS: '3', RUN_RETRY_DELAY_MS: '100' });
    worker = spawnWorker(services);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  const post = (payload: object) => api.app.inject({ method: 'POST', url: '/v1/runs', payload });

  describe('when it is a baseline', () => {
    it('ends diverged at the step, once, and is answered from the store next time', async () => {
      const { id } = (await post(exploding)).json();
      const run = await runReaches(api.store, id, ['diverged', 'failed', 'succeeded']);
      expect(run.status).toBe('diverged');
      expect(run.summary?.divergedAtStep).toEqual(expect.any(Number));
      expect(run.attempts).toBe(1);
      expect(run.error).toBeNull();
      const [curve] = await api.store.curves.get(id);
      expect(curve?.steps).toBe(exploding.steps);

      // Nothing retries it: the job completed, and resubmitting only reads the record.
      expect(await api.producer.queue.getJob(id)).toBeUndefined();
      const again = await post(exploding);
      expect(again.json()).toMatchObject({ id, cached: true, runs: [{ status: 'diverged' }] });
      await new Promise((resolve) => setTimeout(resolve, 1000));
      expect(startsByRun([worker]).get(id)).toBe(1);
    });
  });

  describe('when it is a meta-training', () => {
    it('ends diverged with the step and keeps no non-finite best', async () => {
      const { id } = (await post(explodingMetaTrain)).json();
      const run = await runReaches(api.store, id, ['diverged', 'failed', 'succeeded']);
      expect(run.status).toBe('diverged');
      expect(run.summary?.divergedAtStep).toEqual(expect.any(Number));
      expect(run.summary?.bestScore ?? null).toBeNull();

      const checkpoints = await api.store.checkpoints.listForRun(id);
      expect(checkpoints.filter((checkpoint) => checkpoint.role === 'best')).toEqual([]);
      for (const checkpoint of checkpoints) {
        expect(checkpoint.score === null || Number.isFinite(checkpoint.score)).toBe(true);
      }
      expect(linesOf([worker], 'run started', id)).toHaveLength(1);
      expect((await post(explodingMetaTrain)).json()).toMatchObject({ cached: true });
    });
  });
});
