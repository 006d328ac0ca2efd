import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '@metaopt/store';
import { newId, newRun, openStore } from './fixtures.js';

describe('sweeps', () => {
  let store: Store;
  beforeAll(() => {
    store = openStore();
  });
  afterAll(() => store.close());

  async function recordedRuns(n: number) {
    return Promise.all(
      Array.from({ length: n }, async () => (await store.runs.ensure(newRun())).run.id),
    );
  }

  describe('ensure', () => {
    it('records the sweep with its runs, and get returns them in position order', async () => {
      const [a, b, c] = await recordedRuns(3);
      const sweep = { id: newId(), name: 'lr grid', spec: { grid: { lr: [0.1, 0.01] } } };
      const { created } = await store.sweeps.ensure(sweep, [
        { runId: c!, position: 2, role: 'dependency' },
        { runId: a!, position: 0, role: 'cell' },
        { runId: b!, position: 1, role: 'cell' },
      ]);
      expect(created).toBe(true);

      const stored = await store.sweeps.get(sweep.id);
      expect(stored).toMatchObject({ id: sweep.id, name: 'lr grid', spec: sweep.spec });
      expect(stored?.runs.map((entry) => [entry.position, entry.runId, entry.role])).toEqual([
        [0, a, 'cell'],
        [1, b, 'cell'],
        [2, c, 'dependency'],
      ]);
      expect(stored?.runs[0]?.run.status).toBe('queued');
    });

    it('is idempotent under concurrent calls', async () => {
      const runs = (await recordedRuns(4)).map((runId, position) => ({ runId, position }));
      const sweep = { id: newId(), spec: {} };

      const results = await Promise.all(
        Array.from({ length: 6 }, () => store.sweeps.ensure(sweep, runs)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect((await store.sweeps.get(sweep.id))?.runs).toHaveLength(4);
    });

    it('throws STORE_CONFLICT when a run is not recorded', async () => {
      await expect(
        store.sweeps.ensure({ id: newId(), spec: {} }, [{ runId: newId(), position: 0 }]),
      ).rejects.toMatchObject({ code: 'STORE_CONFLICT' });
    });
  });

  describe('get', () => {
    it('answers null for an unknown sweep', async () => {
      expect(await store.sweeps.get(newId())).toBeNull();
    });
  });
});
