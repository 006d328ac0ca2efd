/**
 * The same sweep POSTed four times at once, to two API instances, while three workers take
 * jobs (issue 5, fault 4): every POST answers with the same sweep and run ids, and every
 * distinct run, the shared meta-training included, is computed exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { runReaches, startsByRun, tail } from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const sweep = {
  name: 'concurrent',
  base: { task: { kind: 'quadratic' }, steps: 30, nTests: 4, seed: 5 },
  blocks: [
    {
      with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } },
      grid: { 'optimizer.lr': [0.3, 0.1, 0.03, 0.01] },
    },
    {
      with: {
        kind: 'evaluate',
        trained: {
          metaTrain: { epochs: 2, rolloutsPerEpoch: 2, steps: 30, unroll: 10, nTests: 4 },
        },
      },
      grid: { seed: [5, 6] },
    },
  ],
};

describe('one sweep submitted four times concurrently', () => {
  const apis: TestApi[] = [];
  const workers: TestWorker[] = [];

  beforeAll(async () => {
    const services = await testServices('concurrent');
    apis.push(await startTestApi(services), await startTestApi(services));
    for (const name of ['w1', 'w2', 'w3']) {
      workers.push(spawnWorker(services, { WORKER_NAME: name }));
    }
    // All three ready to take jobs before the first POST.
    await pollUntil(
      async () => workers.filter((w) => w.output().includes('"worker started"')).length,
      (ready) => ready === 3,
      { timeoutMs: 60_000, intervalMs: 100 },
    );
  });
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    for (const api of apis) await api.close();
  });

  it('answers every POST alike and computes each distinct run once', async () => {
    const responses = await Promise.all(
      [0, 1, 0, 1].map((i) =>
        apis[i]!.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweep }),
      ),
    );
    const bodies = responses.map((response) => {
      expect(response.statusCode).toBe(202);
      return response.json();
    });
    const ids = (body: { runs: { id: string }[] }) => body.runs.map((run) => run.id).sort();
    for (const body of bodies) {
      expect(body.id).toBe(bodies[0].id);
      expect(ids(body)).toEqual(ids(bodies[0]));
    }
    // Four baselines, two evaluations, and the one meta-training both evaluations need.
    const runIds = ids(bodies[0]);
    expect(runIds).toHaveLength(7);

    const store = apis[0]!.store;
    for (const id of runIds) {
      const run = await runReaches(store, id, ['succeeded'], 240_000).catch((error) => {
        throw new Error(`${error}\n${workers.map((w) => tail(w, 2000)).join('\n')}`);
      });
      expect(run.attempts).toBe(1);
      expect((await store.curves.get(id)).length).toBe(1);
    }
    const starts = startsByRun(workers);
    expect(Object.fromEntries(runIds.map((id) => [id, starts.get(id)]))).toEqual(
      Object.fromEntries(runIds.map((id) => [id, 1])),
    );
    // The work was shared out, not done by one worker while the others idled.
    const busy = workers.filter((w) => w.output().includes('"run started"'));
    expect(busy.length).toBeGreaterThan(1);
  });
});
