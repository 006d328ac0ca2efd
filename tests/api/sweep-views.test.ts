/**
 * The sweep listing and the sweep figure, on records written straight into the store (no
 * worker): runs are finished by the repository exactly as a worker finishes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';

const sweep = {
  name: 'views',
  base: { task: { kind: 'quadratic' }, steps: 10, nTests: 4, seed: 5 },
  blocks: [
    { with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } } },
    { with: { kind: 'baseline', optimizer: { name: 'sgd', lr: 0.01 } } },
  ],
};

/** A falling loss curve, its band 20% either side. */
function lossCurve(scale: number) {
  const mean = Array.from({ length: 10 }, (_, i) => scale / (i + 1));
  return {
    series: 'loss',
    steps: 10,
    problems: 4,
    mean,
    p10: mean.map((m) => m * 0.8),
    p90: mean.map((m) => m * 1.2),
  };
}

describe('sweep views', () => {
  let api: TestApi;
  let sweepId: string;
  let runIds: string[];

  beforeAll(async () => {
    api = await startTestApi(await testServices('views'));
    const submitted = (
      await api.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweep })
    ).json();
    sweepId = submitted.id;
    runIds = submitted.runs.map((run: { id: string }) => run.id);
  });
  afterAll(() => api?.close());

  const get = (url: string) => api.app.inject({ method: 'GET', url });

  async function finish(runId: string, scale: number) {
    await api.store.runs.markRunning(runId, { worker: 'test', backend: 'cpu', attempt: 1 });
    const curve = lossCurve(scale);
    const meanSumLoss = curve.mean.reduce((sum, value) => sum + value, 0);
    await api.store.runs.finish(runId, {
      status: 'succeeded',
      summary: { meanSumLoss, finalLossMean: curve.mean.at(-1)! },
      curves: [curve],
    });
  }

  describe('GET /v1/sweeps/:id/figure.svg', () => {
    describe('when no run has finished', () => {
      it('answers 409 FIGURE_NOT_READY', async () => {
        const response = await get(`/v1/sweeps/${sweepId}/figure.svg`);
        expect(response.statusCode).toBe(409);
        expect(response.json()).toMatchObject({ code: 'FIGURE_NOT_READY' });
      });
    });

    describe('when runs have finished', () => {
      it('draws one line per contender as an SVG document', async () => {
        await finish(runIds[0]!, 2);
        await finish(runIds[1]!, 4);

        const response = await get(`/v1/sweeps/${sweepId}/figure.svg`);
        expect(response.statusCode).toBe(200);
        expect(response.headers['content-type']).toMatch(/^image\/svg\+xml/);
        expect(response.body).toMatch(/^<svg/);
        expect(response.body).toContain('views: loss over test problems');
        for (const label of ['adam', 'sgd']) expect(response.body).toContain(`label: ${label}`);
      });
    });

    describe('when the sweep does not exist', () => {
      it('answers 404 SWEEP_NOT_FOUND', async () => {
        const response = await get(`/v1/sweeps/${'0'.repeat(64)}/figure.svg`);
        expect(response.statusCode).toBe(404);
        expect(response.json()).toMatchObject({ code: 'SWEEP_NOT_FOUND' });
      });
    });
  });

  describe('GET /v1/sweeps', () => {
    it('lists the sweep with its status and counts', async () => {
      const response = await get('/v1/sweeps?limit=10');
      expect(response.statusCode).toBe(200);
      const { items, nextCursor } = response.json();
      expect(nextCursor).toBeNull();
      expect(items).toEqual([
        {
          id: sweepId,
          name: 'views',
          createdAt: expect.any(String),
          status: 'succeeded',
          counts: { succeeded: 2 },
          runs: 2,
        },
      ]);
    });

    describe('when the cursor is not one the API handed out', () => {
      it('answers 400 REQUEST_INVALID', async () => {
        const response = await get('/v1/sweeps?cursor=nonsense');
        expect(response.statusCode).toBe(400);
        expect(response.json()).toMatchObject({ code: 'REQUEST_INVALID' });
      });
    });
  });

  describe('GET /v1/sweeps/:id', () => {
    it('keeps every field of a run through the response schema', async () => {
      const view = (await get(`/v1/sweeps/${sweepId}?best=true`)).json();
      expect(view.runs[0]).toMatchObject({
        role: 'cell',
        spec: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } },
        summary: { meanSumLoss: expect.any(Number) },
        worker: 'test',
      });
      expect(Object.keys(view.best).sort()).toEqual(['adam', 'sgd']);
    });
  });
});
