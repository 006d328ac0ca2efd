import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPrismaClient,
  createStore,
  type PrismaClient,
  type RunListQuery,
  type RunRecord,
  type Store,
} from '@metaopt/store';
import { ownDatabase } from '../setup/databases.js';
import { newRun } from './fixtures.js';

/** Every page of a listing, following cursors to the end. */
async function allPages(store: Store, query: RunListQuery) {
  const pages: RunRecord[][] = [];
  let cursor: string | undefined;
  do {
    const page = await store.runs.list({ ...query, cursor });
    pages.push([...page.items]);
    cursor = page.nextCursor;
  } while (cursor !== undefined);
  return pages;
}

const newestFirst = (a: RunRecord, b: RunRecord) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

// A database of this file's own: every assertion below knows all the runs there are.
describe('runs.list', () => {
  let store: Store;
  let db: PrismaClient;
  const recorded: RunRecord[] = [];

  beforeAll(async () => {
    const databaseUrl = await ownDatabase();
    store = createStore({ databaseUrl });
    db = createPrismaClient({ databaseUrl });

    const record = async (run = newRun()) => {
      recorded.push((await store.runs.ensure(run)).run);
    };
    await Promise.all(Array.from({ length: 20 }, () => record()));
    await Promise.all(Array.from({ length: 3 }, () => record(newRun({ taskKind: 'mnist' }))));
    await store.runs.cancel(recorded[0]!.id);
    await store.runs.cancel(recorded[21]!.id);

    // Half the runs share one creation time, so only the id can order them.
    const sameTime = recorded.slice(0, 12).map((run) => run.id);
    await db.$executeRaw`
      UPDATE runs SET created_at = '2026-01-01T00:00:00Z' WHERE id = ANY(${sameTime})`;
  });
  afterAll(async () => {
    await store.close();
    await db.$disconnect();
  });

  describe('when following cursors', () => {
    it('returns every run exactly once, newest first, ties broken by id', async () => {
      const pages = await allPages(store, { limit: 5 });

      expect(pages.map((page) => page.length)).toEqual([5, 5, 5, 5, 3]);
      const listed = pages.flat();
      expect(listed.map((run) => run.id).sort()).toEqual(recorded.map((run) => run.id).sort());
      expect(listed).toEqual([...listed].sort(newestFirst));
    });

    it('ends without a cursor when the last page is full', async () => {
      const pages = await allPages(store, { limit: 23 });
      expect(pages.map((page) => page.length)).toEqual([23]);
    });
  });

  describe('when filtering', () => {
    it('lists exactly the runs of the status asked for', async () => {
      const cancelled = (await allPages(store, { status: 'cancelled', limit: 1 })).flat();
      expect(cancelled.map((run) => run.id).sort()).toEqual(
        [recorded[0]!.id, recorded[21]!.id].sort(),
      );
    });

    it('lists exactly the runs of the task kind asked for', async () => {
      const mnist = (await allPages(store, { taskKind: 'mnist' })).flat();
      expect(mnist.map((run) => run.id).sort()).toEqual(
        recorded
          .slice(20)
          .map((run) => run.id)
          .sort(),
      );
    });

    it('combines filters', async () => {
      const both = (await allPages(store, { taskKind: 'mnist', status: 'cancelled' })).flat();
      expect(both.map((run) => run.id)).toEqual([recorded[21]!.id]);
    });
  });

  describe('when the cursor is not one the store made', () => {
    it('throws STORE_INVALID_INPUT', async () => {
      await expect(store.runs.list({ cursor: 'garbage' })).rejects.toMatchObject({
        code: 'STORE_INVALID_INPUT',
      });
    });
  });
});
