import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrismaClient, type PrismaClient, type Store } from '@metaopt/store';
import { inject } from 'vitest';
import { sha256Hex } from '@metaopt/spec';
import { newId, newRun, openStore } from './fixtures.js';

describe('checkpoints', () => {
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

  const recordedRun = async () => (await store.runs.ensure(newRun({ kind: 'meta-train' }))).run.id;

  describe('put', () => {
    it('addresses the bytes by their SHA-256', async () => {
      const runId = await recordedRun();
      const bytes = randomBytes(1000);

      const { id, size } = await store.checkpoints.put(runId, {
        epoch: 1,
        score: 0.5,
        role: 'state',
        bytes,
      });
      expect(id).toBe(sha256Hex(bytes));
      expect(size).toBe(1000);
      expect(await store.checkpoints.get(id)).toEqual({
        id,
        size: 1000,
        bytes: new Uint8Array(bytes),
      });
    });

    describe('when the same bytes are stored again', () => {
      it('keeps one copy that every run and epoch points at', async () => {
        const [a, b] = [await recordedRun(), await recordedRun()];
        const bytes = randomBytes(5000);

        const puts = await Promise.all([
          store.checkpoints.put(a, { epoch: 1, score: 1, role: 'best', bytes }),
          store.checkpoints.put(a, { epoch: 2, score: 1, role: 'best', bytes }),
          store.checkpoints.put(b, { epoch: 1, score: 2, role: 'best', bytes }),
        ]);
        const id = sha256Hex(bytes);
        expect(puts.map((p) => p.id)).toEqual([id, id, id]);
        expect(await db.checkpoint.count({ where: { id } })).toBe(1);
        expect((await store.checkpoints.listForRun(a)).map((ref) => ref.checkpointId)).toEqual([
          id,
          id,
        ]);
        expect((await store.checkpoints.listForRun(b)).map((ref) => ref.checkpointId)).toEqual([
          id,
        ]);
      });
    });

    describe('when a run stores an epoch again', () => {
      it('moves the pointer to the new bytes', async () => {
        const runId = await recordedRun();
        await store.checkpoints.put(runId, {
          epoch: 3,
          score: 1,
          role: 'state',
          bytes: randomBytes(10),
        });
        const again = randomBytes(10);
        await store.checkpoints.put(runId, { epoch: 3, score: 0.5, role: 'state', bytes: again });

        const refs = await store.checkpoints.listForRun(runId);
        expect(refs).toHaveLength(1);
        expect(refs[0]).toMatchObject({ checkpointId: sha256Hex(again), score: 0.5 });
      });
    });

    it('stores a non-finite score as null', async () => {
      const runId = await recordedRun();
      await store.checkpoints.put(runId, {
        epoch: 0,
        score: Number.NaN,
        role: 'state',
        bytes: randomBytes(8),
      });
      expect((await store.checkpoints.latest(runId, 'state'))?.score).toBeNull();
    });

    it('throws STORE_NOT_FOUND for an unknown run', async () => {
      await expect(
        store.checkpoints.put(newId(), {
          epoch: 0,
          score: 1,
          role: 'state',
          bytes: randomBytes(8),
        }),
      ).rejects.toMatchObject({ code: 'STORE_NOT_FOUND' });
    });

    it('round-trips a 5 MB checkpoint', async () => {
      const runId = await recordedRun();
      const bytes = randomBytes(5 * 1024 * 1024);
      const { id } = await store.checkpoints.put(runId, {
        epoch: 1,
        score: 1,
        role: 'state',
        bytes,
      });
      expect(Buffer.from((await store.checkpoints.get(id))!.bytes).equals(bytes)).toBe(true);
    });
  });

  describe('latest', () => {
    it('returns the highest epoch of the role asked for, with its bytes', async () => {
      const runId = await recordedRun();
      const byEpoch = [randomBytes(16), randomBytes(16), randomBytes(16)];
      for (const [epoch, bytes] of byEpoch.entries()) {
        await store.checkpoints.put(runId, { epoch, score: 10 - epoch, role: 'state', bytes });
      }
      await store.checkpoints.put(runId, { epoch: 1, score: 9, role: 'best', bytes: byEpoch[1]! });

      const state = await store.checkpoints.latest(runId, 'state');
      expect(state).toMatchObject({ epoch: 2, score: 8, role: 'state', size: 16 });
      expect(Buffer.from(state!.bytes).equals(byEpoch[2]!)).toBe(true);
      expect((await store.checkpoints.latest(runId, 'best'))?.epoch).toBe(1);
    });

    it('answers null when the run has none', async () => {
      expect(await store.checkpoints.latest(await recordedRun(), 'best')).toBeNull();
    });
  });
});
