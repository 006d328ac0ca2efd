import { describe, expect, it } from 'vitest';
import { createStore } from '@metaopt/store';
import { inject } from 'vitest';

describe('store availability', () => {
  describe('when PostgreSQL cannot be reached', () => {
    it('throws a retryable STORE_UNAVAILABLE', async () => {
      const store = createStore({ databaseUrl: 'postgresql://root@127.0.0.1:1/none' });
      try {
        await expect(store.ping()).rejects.toMatchObject({
          code: 'STORE_UNAVAILABLE',
          retryable: true,
        });
        await expect(store.runs.get('0'.repeat(64))).rejects.toMatchObject({
          code: 'STORE_UNAVAILABLE',
        });
      } finally {
        await store.close();
      }
    });
  });

  describe('when the database does not exist', () => {
    it('throws STORE_UNAVAILABLE', async () => {
      const url = new URL(inject('databaseUrl'));
      url.pathname = '/metaopt_no_such_database';
      const store = createStore({ databaseUrl: url.toString() });
      try {
        await expect(store.runs.list()).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      } finally {
        await store.close();
      }
    });
  });

  it('answers ping when PostgreSQL is there', async () => {
    const store = createStore({ databaseUrl: inject('databaseUrl') });
    try {
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
