/**
 * The whole path on real parts: the API takes a sweep, a spawned worker process computes it
 * on the wasm backend, and the records, curves and checkpoints land in PostgreSQL. Posting
 * the sweep again computes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const sweep = {
  name: 'e2e-small',
  base: { task: { kind: 'quadratic' }, steps: 20, nTests: 8, seed: 3 },
  blocks: [
    {
      with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } },
      grid: { 'optimizer.lr': [0.1, 0.03] },
    },
    { with: { kind: 'baseline', optimizer: { name: 'sgd', lr: 0.01 } } },
    {
      with: {
        kind: 'evaluate',
        trained: {
          metaTrain: { epochs: 2, rolloutsPerEpoch: 2, steps: 20, unroll: 10, nTests: 4 },
        },
      },
    },
  ],
};

describe('a sweep, end to end', () => {
  let api: TestApi;
  let worker: TestWorker;

  beforeAll(async () => {
    const services = await testServices('e2e');
    api = await startTestApi(services);
    worker = spawnWorker(services);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  const get = async (url: string) => (await api.app.inject({ method: 'GET', url })).json();
  const postSweep = () => api.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweep });

  it('computes every run once and answers the second submission from the store', async () => {
    const first = await postSweep();
    expect(first.statusCode).toBe(202);
    const submitted = first.json();
    expect(submitted.cached).toBe(false);
    expect(submitted.runs.map((run: { kind: string }) => run.kind).sort()).toEqual([
      'baseline',
      'baseline',
      'baseline',
      'evaluate',
      'meta-train',
    ]);

    const done = await pollUntil(
      () => get(`/v1/sweeps/${submitted.id}?best=true`),
      (view) => view.status === 'succeeded' || view.status === 'failed',
      { timeoutMs: 240_000 },
    );
    expect(done.status, worker.output().slice(-4000)).toBe('succeeded');

    for (const run of done.runs) {
      expect(run.backend).toBe('wasm');
      expect(run.attempts).toBe(1);
    }
    const evaluations = done.runs.filter((run: { kind: string }) => run.kind !== 'meta-train');
    for (const run of evaluations) {
      expect(Number.isFinite(run.summary.meanSumLoss)).toBe(true);
      const { curves } = await get(`/v1/runs/${run.id}/curves`);
      const loss = curves.find((curve: { series: string }) => curve.series === 'loss');
      expect(loss.mean).toHaveLength(20);
    }
    expect(Object.keys(done.best).sort()).toEqual(['adam', 'lstm', 'sgd']);

    const trainer = done.runs.find((run: { kind: string }) => run.kind === 'meta-train');
    const checkpoints = await api.store.checkpoints.listForRun(trainer.id);
    const stateEpochs = checkpoints
      .filter((checkpoint: { role: string }) => checkpoint.role === 'state')
      .map((checkpoint: { epoch: number }) => checkpoint.epoch)
      .sort();
    expect(stateEpochs).toEqual([1, 2]);

    const second = await postSweep();
    expect(second.json()).toMatchObject({ id: submitted.id, cached: true });
    const counts = await api.producer.queue.getJobCounts(
      'wait',
      'active',
      'delayed',
      'waiting-children',
    );
    expect(Object.values(counts).every((count) => count === 0)).toBe(true);
  });

  it('downsamples curves to at most maxPoints points per series', async () => {
    const { items } = await get('/v1/runs?kind=baseline&limit=1');
    const { curves } = await get(`/v1/runs/${items[0].id}/curves?maxPoints=5`);
    for (const curve of curves) expect(curve.mean.length).toBeLessThanOrEqual(5);
  });

  describe('when a baseline names an explicit quadratic', () => {
    it('follows the update rule on that very problem', async () => {
      const W = [
        [2, 0],
        [1, 1],
      ];
      const y = [1, -1];
      const lr = 0.05;
      const response = await api.app.inject({
        method: 'POST',
        url: '/v1/runs',
        payload: {
          kind: 'baseline',
          task: { kind: 'quadratic', W, y },
          optimizer: { name: 'sgd', lr },
          steps: 5,
          nTests: 1,
        },
      });
      const { id } = response.json();
      await pollUntil(
        () => get(`/v1/runs/${id}`),
        (run) => run.status === 'succeeded',
      );
      const { curves } = await get(`/v1/runs/${id}/curves`);

      // Plain SGD on f(θ) = |Wθ − y|², ∇f = 2Wᵀ(Wθ − y), from θ₀ = 0, computed in float64.
      const expected: number[] = [];
      let theta = [0, 0];
      for (let step = 0; step < 5; step++) {
        const residual = W.map((row, i) => row[0]! * theta[0]! + row[1]! * theta[1]! - y[i]!);
        expected.push(residual.reduce((sum, r) => sum + r * r, 0));
        const grad = [0, 1].map((j) => 2 * (W[0]![j]! * residual[0]! + W[1]![j]! * residual[1]!));
        theta = theta.map((value, j) => value - lr * grad[j]!);
      }
      const mean = curves.find((curve: { series: string }) => curve.series === 'loss').mean;
      mean.forEach((value: number, step: number) => {
        expect(value).toBeCloseTo(expected[step]!, 4);
      });
    });
  });
});
