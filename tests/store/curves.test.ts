import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@metaopt/store';
import { lossCurve, newRun, openStore } from './fixtures.js';

const summary = { meanSumLoss: 1, finalLossMean: 0.1 };

describe('curves', () => {
  let store: Store;
  beforeAll(() => {
    store = openStore();
  });
  afterAll(() => store.close());

  async function finishedWith(...curves: Parameters<Store['runs']['finish']>[1]['curves']) {
    const { run } = await store.runs.ensure(newRun());
    await store.runs.finish(run.id, { status: 'succeeded', summary, curves });
    return run.id;
  }

  describe('get', () => {
    it('returns every statistic at every step when not asked to downsample', async () => {
      const curve = lossCurve(6);
      const runId = await finishedWith(curve);

      const [points] = await store.curves.get(runId);
      expect(points).toEqual({
        ...curve,
        step: [0, 1, 2, 3, 4, 5],
        hasRaw: false,
      });
    });

    it('returns one series when asked, and null for statistics not recorded', async () => {
      const runId = await finishedWith(lossCurve(4), {
        series: 'epochScore',
        steps: 3,
        problems: 10,
        mean: [3, 2, 1],
      });

      const curves = await store.curves.get(runId, { series: 'epochScore' });
      expect(curves).toHaveLength(1);
      expect(curves[0]).toMatchObject({
        series: 'epochScore',
        mean: [3, 2, 1],
        std: null,
        max: null,
      });
    });

    it('keeps NaN and infinities, as a diverged run has them', async () => {
      const runId = await finishedWith({
        series: 'loss',
        steps: 4,
        problems: 1,
        mean: [1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
      });
      const [points] = await store.curves.get(runId);
      expect(points?.mean).toEqual([
        1.5,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
      ]);
    });

    describe('when downsampling', () => {
      const sizes = [1, 2, 3, 10, 99, 100, 101, 1000, 1001];
      const limits = [2, 3, 7, 100, 5000];

      it.each(sizes)(
        'never returns more than maxPoints of %i steps, first and last kept',
        async (steps) => {
          const runId = await finishedWith(lossCurve(steps));
          for (const maxPoints of limits) {
            const [points] = await store.curves.get(runId, { maxPoints });
            const step = points!.step;

            expect(step.length).toBe(Math.min(steps, maxPoints));
            expect(points!.mean).toHaveLength(step.length);
            expect(points!.p90).toHaveLength(step.length);
            expect([step[0], step.at(-1)]).toEqual([0, steps - 1]);
            expect(step.every((s, i) => i === 0 || s > step[i - 1]!)).toBe(true);
            // Each point is the stored value at its step, not a blend of neighbours.
            expect(points!.mean).toEqual(step.map((s) => 1 / (s + 1)));
          }
        },
      );

      it('returns no points for a curve of no steps', async () => {
        const runId = await finishedWith(lossCurve(0));
        const [points] = await store.curves.get(runId, { maxPoints: 2 });
        expect(points).toMatchObject({ steps: 0, step: [], mean: [] });
      });

      it('refuses a maxPoints below 2', async () => {
        const runId = await finishedWith(lossCurve(10));
        await expect(store.curves.get(runId, { maxPoints: 1 })).rejects.toMatchObject({
          code: 'STORE_INVALID_INPUT',
        });
      });
    });
  });

  describe('raw', () => {
    it('gives back the problems × steps matrix bit for bit', async () => {
      const raw = Float32Array.from({ length: 4 * 5 }, (_, i) => i / 3);
      raw[7] = Number.NaN;
      const runId = await finishedWith({ ...lossCurve(5), raw });

      const [points] = await store.curves.get(runId);
      expect(points?.hasRaw).toBe(true);
      expect(await store.curves.raw(runId, 'loss')).toEqual(raw);
    });

    it('answers null when no matrix was stored', async () => {
      const runId = await finishedWith(lossCurve(5));
      expect(await store.curves.raw(runId, 'loss')).toBeNull();
    });

    it('refuses a matrix of the wrong size', async () => {
      const { run } = await store.runs.ensure(newRun());
      const curve = { ...lossCurve(5), raw: new Float32Array(3) };
      await expect(
        store.runs.finish(run.id, { status: 'succeeded', summary, curves: [curve] }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_INPUT' });
    });
  });
});
