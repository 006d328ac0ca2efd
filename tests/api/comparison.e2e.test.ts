/**
 * A comparison on real parts: the API takes it, a spawned worker process computes its runs
 * (baselines as learning-rate grids), BullMQ wakes the comparison's report job when they have
 * ended, and the tables and SVG figures land in PostgreSQL. Then a PyTorch state_dict goes in
 * and out, and an imported optimizer is compared like a meta-trained one.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices } from '../helpers/services.js';
import { readSse } from '../helpers/sse.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

const comparison = {
  name: 'e2e-comparison',
  task: { kind: 'quadratic' },
  steps: 20,
  nTests: 6,
  seed: 3,
  // SGD at 1 diverges on these quadratics: a cell, not a failure.
  baselines: { optimizers: ['adam', 'sgd'], lrs: [1, 0.1, 0.01] },
  learned: {
    metaTrain: { epochs: 2, rolloutsPerEpoch: 2, steps: 20, unroll: 10, nTests: 4 },
    metaLrs: [0.01, 0.001],
  },
  panels: [{}, { title: 'dim 5', task: { kind: 'quadratic', dim: 5 } }],
};

interface Row {
  contender: string;
  lr?: number;
  metaLr?: number;
  runId: string;
  status: string;
  meanSumLoss: number | null;
}

const fixture = JSON.parse(
  readFileSync(
    new URL('../../packages/l2l/test/testdata/lstm_optimizer_forward.json', import.meta.url),
    'utf8',
  ),
) as { cases: { preproc: boolean; weights: Record<string, unknown> }[] };

describe('a comparison, end to end', () => {
  let api: TestApi;
  let worker: TestWorker;

  beforeAll(async () => {
    const services = await testServices('comparison');
    api = await startTestApi(services);
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    worker = spawnWorker(services, { WORKER_DEPENDENCY_POLL_MS: '200' });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
  });

  const get = async (url: string) => (await api.app.inject({ method: 'GET', url })).json();
  const post = (url: string, payload: object) => api.app.inject({ method: 'POST', url, payload });
  const finished = (id: string) =>
    pollUntil(
      () => get(`/v1/comparisons/${id}`),
      (view) => view.status !== 'running',
      { timeoutMs: 240_000 },
    );

  describe('when submitted', () => {
    it('computes every cell, picks each best, writes a table and figure per panel', async () => {
      const response = await post('/v1/comparisons', comparison);
      expect(response.statusCode).toBe(202);
      const submitted = response.json();
      // 2 panels × (2 optimizers × 3 rates + 2 evaluations) + 2 meta-trainings.
      expect(submitted.runs).toHaveLength(18);
      expect(submitted).toMatchObject({ cached: false, joined: 0, queued: 18 });
      const { port } = api.app.server.address() as AddressInfo;
      const live = readSse(`http://127.0.0.1:${port}/v1/sweeps/${submitted.id}/events`, {
        done: (received) => received.some((m) => m.event === 'end'),
        timeoutMs: 240_000,
      });

      const done = await finished(submitted.id);
      expect(done.status, worker.output().slice(-4000)).toBe('succeeded');
      expect(done.runs.status).toBe('succeeded');
      expect(done.result.panels.map((panel: { title: string }) => panel.title)).toEqual([
        'quadratic 10',
        'dim 5',
      ]);

      for (const panel of done.result.panels) {
        const rows = panel.rows as Row[];
        expect(rows.map((row) => row.contender).sort()).toEqual(['adam', 'lstm', 'sgd']);
        expect(panel.cells).toHaveLength(8);
        // Each baseline row is its contender's best cell.
        for (const row of rows.filter((r) => r.contender !== 'lstm')) {
          const scores = (panel.cells as Row[])
            .filter((cell) => cell.contender === row.contender && cell.meanSumLoss !== null)
            .map((cell) => cell.meanSumLoss!);
          expect(row.meanSumLoss).toBe(Math.min(...scores));
        }
        const diverged = (panel.cells as Row[]).find((c) => c.contender === 'sgd' && c.lr === 1);
        expect(diverged).toMatchObject({ status: 'diverged', meanSumLoss: null });
      }
      // One meta-learning rate, chosen by validation, for both panels.
      const chosen = done.result.panels.map(
        (panel: { rows: Row[] }) => panel.rows.find((row) => row.contender === 'lstm')!.metaLr,
      );
      expect(chosen[0]).toBe(done.result.metaLr);
      expect(chosen[1]).toBe(done.result.metaLr);
      expect(done.tables[0]).toMatch(/^\| optimizer \| lr \| mean Σ loss/);

      for (const url of done.figures) {
        const figure = await api.app.inject({ method: 'GET', url });
        expect(figure.headers['content-type']).toMatch(/^image\/svg\+xml/);
        expect(figure.body).toMatch(/^<svg/);
        expect(figure.body).toContain('LSTM (learned)');
      }

      const sweep = await get(`/v1/sweeps/${submitted.id}`);
      for (const run of sweep.runs) expect(run.backend).toBe('wasm');

      // The baselines ran inside learning-rate grid jobs; their events still name each run.
      const messages = await live;
      expect(messages.at(-1)?.event).toBe('end');
      for (const run of submitted.runs as { id: string; kind: string }[]) {
        const events = messages.filter((m) => m.data.runId === run.id).map((m) => m.event);
        const ending = sweep.runs.find((r: { id: string }) => r.id === run.id).status;
        expect(events.at(-1), run.kind).toBe(ending === 'diverged' ? 'diverged' : 'finished');
        if (run.kind === 'baseline') expect(events).toContain('progress');
      }
    });

    it('counts its runs and times the baselines in the metrics', async () => {
      const text = (await api.app.inject({ method: 'GET', url: '/metrics' })).body;
      expect(text).toMatch(/^metaopt_submitted_runs_total\{cache="miss"\} 18$/m);
      const baselines = /^metaopt_run_duration_seconds_count\{[^}]*kind="baseline"[^}]*\} (\d+)$/gm;
      const counts = [...text.matchAll(baselines)].map((match) => Number(match[1]));
      // 12 baseline cells, 2 of them (SGD at 1) diverged: every one timed.
      expect(counts.reduce((a, b) => a + b, 0)).toBe(12);
    });

    it('answers a second submission from the store and queues nothing', async () => {
      const again = (await post('/v1/comparisons', comparison)).json();
      expect(again).toMatchObject({ cached: true, queued: 0 });
      const counts = await api.producer.queue.getJobCounts('wait', 'active', 'delayed');
      expect(Object.values(counts).every((count) => count === 0)).toBe(true);
    });
  });

  describe('when a PyTorch state_dict is imported', () => {
    const weights = fixture.cases.find((c) => c.preproc)!.weights;

    it('stores it once under the hash of its normalized form and gives it back', async () => {
      const first = await post('/v1/checkpoints', weights);
      expect(first.statusCode).toBe(201);
      const created = first.json();
      expect(created.learned).toEqual({ hiddenSize: 20, preprocess: true });
      const again = (await post('/v1/checkpoints', weights)).json();
      expect(again).toMatchObject({ id: created.id, created: false });

      const exported = await get(`/v1/checkpoints/${created.id}`);
      expect(Object.keys(exported)).toEqual(Object.keys(weights));
      expect(exported['recurs.weight_ih'].shape).toEqual([80, 2]);
      // Float32 rounding of the float64 fixture, and nothing more.
      const original = (weights['output.weight'] as { value: number[][] }).value[0]!;
      exported['output.weight'].value[0].forEach((value: number, i: number) =>
        expect(value).toBeCloseTo(original[i]!, 6),
      );
    });

    it('refuses a state_dict of the wrong shape with CHECKPOINT_INVALID', async () => {
      const broken = { ...weights, 'recurs.weight_hh': { shape: [80, 3], value: [] } };
      const response = await post('/v1/checkpoints', broken);
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('CHECKPOINT_INVALID');
    });

    it('compares the imported optimizer with the baselines', async () => {
      const { id } = (await post('/v1/checkpoints', weights)).json();
      const imported = {
        name: 'e2e-imported',
        task: { kind: 'quadratic' },
        steps: 10,
        nTests: 3,
        seed: 1,
        baselines: { optimizers: ['adam'], lrs: [0.1] },
        learned: { checkpoint: id, learned: { preprocess: true, outMul: 0.1 } },
      };
      const submitted = (await post('/v1/comparisons', imported)).json();
      const done = await finished(submitted.id);
      expect(done.status, worker.output().slice(-4000)).toBe('succeeded');
      const lstm = done.result.panels[0].rows.find((row: Row) => row.contender === 'lstm');
      expect(lstm.status).toBe('succeeded');
      expect(Number.isFinite(lstm.meanSumLoss)).toBe(true);
    });
  });

  describe('when a meta-training has finished', () => {
    it('lists its checkpoints and exports its best weights as a state_dict', async () => {
      const { items } = await get('/v1/runs?kind=meta-train&limit=1');
      const { items: checkpoints } = await get(`/v1/runs/${items[0].id}/checkpoints`);
      expect(checkpoints.map((c: { role: string }) => c.role)).toContain('best');
      const best = checkpoints.find((c: { role: string }) => c.role === 'best');
      const exported = await get(best.url);
      expect(exported['output.bias'].shape).toEqual([1]);
      // Re-importing the exported weights finds the very bytes the worker stored.
      const reimported = (await post('/v1/checkpoints', exported)).json();
      expect(reimported).toMatchObject({ id: best.checkpointId, created: false });
    });
  });
});
