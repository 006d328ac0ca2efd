import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient, type RunRecord, type Store } from '@metaopt/store';
import { inject } from 'vitest';
import { newRun, openStore } from './fixtures.js';

/** Every page of a listing, following cursors to the end. */
async function allPages(store: Store, query: Parameters<Store['runs']['list']>[0]) {
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

describe('runs.list', () => {
  let store: Store;
  let db: PrismaClient;
  beforeAll(() => {
    store = openStore();
    db = createPrismaClient({ databaseUrl: inject('databaseUrl') });
  });
  afterAll(async () => {
    await store.close();
    await db.$disconnect();
  });

  describe('when many runs share a creation time', () => {
    it('pages through every run once, newest first, ties broken by id', async () => {
      const runs = await Promise.all(
        Array.from({ length: 23 }, () => store.runs.ensure(newRun({ kind: 'evaluate' }))),
      );
      const sameTime = runs.slice(0, 12).map(({ run }) => run.id);
      await db.$executeRaw`
        UPDATE runs SET created_at = '2026-01-01T00:00:00Z' WHERE id = ANY(${sameTime})`;

      // Other files record runs in the same database: ours must each appear exactly once.
      const pages = await allPages(store, { kind: 'evaluate', limit: 5 });
      const listed = pages.flat();
      const ids = listed.map((run) => run.id);

      expect(pages.every((page) => page.length <= 5)).toBe(true);
      expect(pages.slice(0, -1).every((page) => page.length === 5)).toBe(true);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids).toEqual(expect.arrayContaining(runs.map(({ run }) => run.id)));
      expect(listed).toEqual([...listed].sort(newestFirst));
    });
  });

  describe('when filtering', () => {
    it('lists only runs of the status asked for', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.cancel(run.id);

      const cancelled = (await allPages(store, { status: 'cancelled', limit: 500 })).flat();
      expect(cancelled.map((r) => r.id)).toContain(run.id);
      expect(cancelled.every((r) => r.status === 'cancelled')).toBe(true);
    });

    it('lists only runs of the task kind asked for', async () => {
      const { run } = await store.runs.ensure(newRun({ taskKind: 'mnist' }));
      const mnist = (await allPages(store, { taskKind: 'mnist', limit: 500 })).flat();
      expect(mnist.map((r) => r.id)).toContain(run.id);
      expect(mnist.every((r) => r.taskKind === 'mnist')).toBe(true);
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
