import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStore, type Store, type SweepSummary } from '@metaopt/store';
import { ownDatabase } from '../setup/databases.js';
import { newId, newRun } from './fixtures.js';

// A database of this file's own: every assertion below knows all the sweeps there are.
describe('sweeps.list', () => {
  let store: Store;
  const sweepIds: string[] = [];
  let cancelledRunId: string;

  beforeAll(async () => {
    store = createStore({ databaseUrl: await ownDatabase() });
    for (let i = 0; i < 5; i++) {
      const runs = [
        (await store.runs.ensure(newRun())).run,
        (await store.runs.ensure(newRun())).run,
      ];
      const id = newId();
      await store.sweeps.ensure(
        { id, name: `sweep ${i}`, spec: { i } },
        runs.map((run, position) => ({ runId: run.id, position, role: 'cell' })),
      );
      sweepIds.push(id);
      if (i === 4) cancelledRunId = runs[1]!.id;
    }
    await store.runs.cancel(cancelledRunId);
  });
  afterAll(() => store?.close());

  describe('when following cursors', () => {
    it('returns every sweep exactly once, newest first', async () => {
      const seen: SweepSummary[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.sweeps.list({ limit: 2, cursor });
        expect(page.items.length).toBeLessThanOrEqual(2);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor !== undefined);

      expect(seen.map((sweep) => sweep.id).sort()).toEqual([...sweepIds].sort());
      const times = seen.map((sweep) => sweep.createdAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    });
  });

  describe('when a sweep has runs in several statuses', () => {
    it("lists each run's status in position order", async () => {
      const { items } = await store.sweeps.list({ limit: 500 });
      const last = items.find((sweep) => sweep.id === sweepIds[4]);
      expect(last).toMatchObject({ name: 'sweep 4', statuses: ['queued', 'cancelled'] });
    });
  });

  describe('when the cursor is not one the store handed out', () => {
    it('refuses it with STORE_INVALID_INPUT', async () => {
      await expect(store.sweeps.list({ cursor: 'nonsense' })).rejects.toMatchObject({
        code: 'STORE_INVALID_INPUT',
      });
    });
  });
});
