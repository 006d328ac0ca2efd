/**
 * `GET /v1/runs/:id/curves?maxPoints=N` never returns more than N points per series, however
 * long the run: a property over N, against stored curves of up to 30,000 steps.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossCurve, newRun } from '../store/fixtures.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';

describe('curve downsampling', () => {
  let api: TestApi;
  const runs: { id: string; steps: number }[] = [];

  beforeAll(async () => {
    api = await startTestApi(await testServices('curve-points'), { API_RATE_LIMIT_MAX: '0' });
    for (const steps of [3, 1000, 30_000]) {
      const run = newRun();
      await api.store.runs.ensure(run);
      await api.store.runs.finish(run.id, {
        status: 'succeeded',
        summary: { meanSumLoss: 1 },
        curves: [lossCurve(steps), lossCurve(Math.ceil(steps / 7), 'epochScore')],
      });
      runs.push({ id: run.id, steps });
    }
  });
  afterAll(() => api?.close());

  it('returns at most maxPoints points per series, the first and last among them', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...runs),
        fc.oneof(fc.integer({ min: 2, max: 50 }), fc.integer({ min: 2, max: 5000 })),
        async (run, maxPoints) => {
          const response = await api.app.inject({
            method: 'GET',
            url: `/v1/runs/${run.id}/curves?maxPoints=${maxPoints}`,
          });
          expect(response.statusCode).toBe(200);
          const { curves } = response.json();
          expect(curves).toHaveLength(2);
          for (const curve of curves) {
            expect(curve.step.length).toBeLessThanOrEqual(maxPoints);
            expect(curve.step.length).toBe(Math.min(maxPoints, curve.steps));
            expect(curve.mean).toHaveLength(curve.step.length);
            expect(curve.std).toHaveLength(curve.step.length);
            expect(curve.step[0]).toBe(0);
            expect(curve.step.at(-1)).toBe(curve.steps - 1);
            for (let i = 1; i < curve.step.length; i++) {
              expect(curve.step[i]).toBeGreaterThan(curve.step[i - 1]);
            }
          }
        },
      ),
      // The largest maxPoints, on the longest run, once: it returns the run whole.
      { numRuns: 30, examples: [[runs[2]!, 100_000]] },
    );
  });

  describe('when maxPoints is outside 2..100000', () => {
    it.each(['0', '1', '100001', '-3', '2.5'])('answers 400 for %s', async (maxPoints) => {
      const response = await api.app.inject({
        method: 'GET',
        url: `/v1/runs/${runs[0]!.id}/curves?maxPoints=${maxPoints}`,
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('REQUEST_INVALID');
    });
  });
});
