import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreError, type Store } from '@metaopt/store';
import { lossCurve, newId, newRun, openStore } from './fixtures.js';

const worker = { worker: 'w-1', backend: 'cpu', attempt: 1 };
const summary = { meanSumLoss: 12.5, finalLossMean: 0.25 };

describe('runs', () => {
  let store: Store;
  beforeAll(() => {
    store = openStore();
  });
  afterAll(() => store.close());

  describe('ensure', () => {
    it('records a new run as queued, with its spec as given', async () => {
      const run = newRun();
      const { run: record, created } = await store.runs.ensure(run);

      expect(created).toBe(true);
      expect(record).toMatchObject({ id: run.id, kind: 'baseline', taskKind: 'quadratic' });
      expect(record.status).toBe('queued');
      expect(record.attempts).toBe(0);
      expect(record.spec).toEqual(run.spec);
    });

    it('returns the existing record, unchanged, when the id is already there', async () => {
      const run = newRun();
      const first = await store.runs.ensure(run);
      await store.runs.markRunning(run.id, worker);

      const again = await store.runs.ensure(run);
      expect(again.created).toBe(false);
      expect(again.run.status).toBe('running');
      expect(again.run.createdAt).toEqual(first.run.createdAt);
    });

    it('creates exactly once under 20 concurrent calls for the same id', async () => {
      const run = newRun();
      const results = await Promise.all(Array.from({ length: 20 }, () => store.runs.ensure(run)));

      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(new Set(results.map((r) => r.run.createdAt.getTime())).size).toBe(1);
    });

    it('refuses an id that is not a SHA-256 hex digest', async () => {
      await expect(store.runs.ensure(newRun({ id: 'not-a-hash' }))).rejects.toMatchObject({
        code: 'STORE_INVALID_INPUT',
      });
    });
  });

  describe('get', () => {
    it('answers null for an unknown id', async () => {
      expect(await store.runs.get(newId())).toBeNull();
    });
  });

  describe('markRunning', () => {
    it('records worker, backend, attempt and start time', async () => {
      const { run } = await store.runs.ensure(newRun());
      const { run: running, changed } = await store.runs.markRunning(run.id, {
        worker: 'gpu-0',
        backend: 'wasm',
        attempt: 2,
      });

      expect(changed).toBe(true);
      expect(running).toMatchObject({
        status: 'running',
        worker: 'gpu-0',
        backend: 'wasm',
        attempts: 2,
      });
      expect(running.startedAt).toBeInstanceOf(Date);
    });

    it('leaves a settled run alone', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.finish(run.id, { status: 'succeeded', summary, curves: [] });

      const { run: after, changed } = await store.runs.markRunning(run.id, worker);
      expect(changed).toBe(false);
      expect(after.status).toBe('succeeded');
    });

    it('throws STORE_NOT_FOUND for an unknown run', async () => {
      const error = await store.runs.markRunning(newId(), worker).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ code: 'STORE_NOT_FOUND', retryable: false });
    });
  });

  describe('updateProgress', () => {
    it('writes progress while the run is running', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.markRunning(run.id, worker);

      expect(await store.runs.updateProgress(run.id, { fraction: 0.5, step: 10, loss: 0.1 })).toBe(
        true,
      );
      expect((await store.runs.get(run.id))?.progress).toEqual({
        fraction: 0.5,
        step: 10,
        loss: 0.1,
      });
    });

    it('ignores progress for a run that is not running', async () => {
      const { run } = await store.runs.ensure(newRun());
      expect(await store.runs.updateProgress(run.id, { fraction: 0.5 })).toBe(false);
      expect((await store.runs.get(run.id))?.progress).toBeNull();
    });
  });

  describe('finish', () => {
    it('stores status, summary and curves together', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.markRunning(run.id, worker);

      const { run: done, changed } = await store.runs.finish(run.id, {
        status: 'succeeded',
        summary,
        curves: [lossCurve(5)],
      });
      expect(changed).toBe(true);
      expect(done.status).toBe('succeeded');
      expect(done.summary).toEqual(summary);
      expect(done.finishedAt).toBeInstanceOf(Date);
      expect(await store.curves.get(run.id)).toHaveLength(1);
    });

    it('marks progress complete, whatever the last throttled report said', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.markRunning(run.id, worker);
      await store.runs.updateProgress(run.id, { fraction: 0.98, step: 98 });

      const { run: done } = await store.runs.finish(run.id, {
        status: 'succeeded',
        summary,
        curves: [],
      });
      expect(done.progress).toEqual({ fraction: 1 });
    });

    describe('when the run is already finished', () => {
      it('changes nothing and says so', async () => {
        const { run } = await store.runs.ensure(newRun());
        const first = await store.runs.finish(run.id, {
          status: 'succeeded',
          summary,
          curves: [lossCurve(3)],
        });

        const second = await store.runs.finish(run.id, {
          status: 'diverged',
          summary: { divergedAtStep: 1 },
          curves: [lossCurve(7)],
        });
        expect(second.changed).toBe(false);
        expect(second.run.status).toBe('succeeded');
        expect(second.run.summary).toEqual(summary);
        expect(second.run.finishedAt).toEqual(first.run.finishedAt);
        const [curve] = await store.curves.get(run.id);
        expect(curve?.steps).toBe(3);
      });

      it('lets exactly one of several concurrent finishes through', async () => {
        const { run } = await store.runs.ensure(newRun());
        const results = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.runs.finish(run.id, { status: 'succeeded', summary, curves: [lossCurve(i + 2)] }),
          ),
        );
        expect(results.filter((r) => r.changed)).toHaveLength(1);
        expect(await store.curves.get(run.id)).toHaveLength(1);
      });
    });

    it('leaves a cancelled run cancelled', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.cancel(run.id);
      const { changed, run: after } = await store.runs.finish(run.id, {
        status: 'succeeded',
        summary,
        curves: [],
      });
      expect(changed).toBe(false);
      expect(after.status).toBe('cancelled');
    });

    it('stores a non-finite summary number as null, since JSON has none', async () => {
      const { run } = await store.runs.ensure(newRun());
      const { run: done } = await store.runs.finish(run.id, {
        status: 'diverged',
        summary: { bestScore: Number.POSITIVE_INFINITY, divergedAtStep: 0 },
        curves: [],
      });
      expect(done.summary).toEqual({ bestScore: null, divergedAtStep: 0 });
    });

    it('writes nothing when a curve is malformed', async () => {
      const { run } = await store.runs.ensure(newRun());
      const bad = { ...lossCurve(4), std: [1, 2] };

      await expect(
        store.runs.finish(run.id, {
          status: 'succeeded',
          summary,
          curves: [lossCurve(4, 'a'), bad],
        }),
      ).rejects.toMatchObject({ code: 'STORE_INVALID_INPUT' });
      expect((await store.runs.get(run.id))?.status).toBe('queued');
      expect(await store.curves.get(run.id)).toEqual([]);
    });
  });

  describe('fail', () => {
    it('records the error and the attempts of a running run', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.markRunning(run.id, { ...worker, attempt: 3 });

      const { run: failed, changed } = await store.runs.fail(
        run.id,
        { code: 'RUN_FAILED', message: 'boom' },
        3,
      );
      expect(changed).toBe(true);
      expect(failed).toMatchObject({
        status: 'failed',
        attempts: 3,
        error: { code: 'RUN_FAILED', message: 'boom' },
      });
    });

    it('does not overwrite a result that is already stored', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.finish(run.id, { status: 'succeeded', summary, curves: [] });
      const { changed, run: after } = await store.runs.fail(
        run.id,
        { code: 'LATE', message: 'too late' },
        1,
      );
      expect(changed).toBe(false);
      expect(after).toMatchObject({ status: 'succeeded', error: null });
    });
  });

  describe('requeue', () => {
    it('moves failed, cancelled and running runs back to queued, and no others', async () => {
      const failed = (await store.runs.ensure(newRun())).run.id;
      await store.runs.fail(failed, { code: 'X', message: 'x' }, 1);
      const cancelled = (await store.runs.ensure(newRun())).run.id;
      await store.runs.cancel(cancelled);
      const running = (await store.runs.ensure(newRun())).run.id;
      await store.runs.markRunning(running, worker);
      const succeeded = (await store.runs.ensure(newRun())).run.id;
      await store.runs.finish(succeeded, { status: 'succeeded', summary, curves: [] });
      const queued = (await store.runs.ensure(newRun())).run.id;

      const moved = await store.runs.requeue([
        failed,
        cancelled,
        running,
        succeeded,
        queued,
        newId(),
      ]);
      expect(moved.sort()).toEqual([failed, cancelled, running].sort());
      for (const id of [failed, cancelled, running, queued]) {
        expect((await store.runs.get(id))?.status).toBe('queued');
      }
      expect((await store.runs.get(succeeded))?.status).toBe('succeeded');
    });

    it('keeps the last error for whoever looks at the retry', async () => {
      const { run } = await store.runs.ensure(newRun());
      await store.runs.fail(run.id, { code: 'OOM', message: 'out of memory' }, 1);
      await store.runs.requeue([run.id]);
      expect((await store.runs.get(run.id))?.error).toEqual({
        code: 'OOM',
        message: 'out of memory',
      });
    });
  });

  describe('ensureMany', () => {
    it('records the new runs, keeps the existing ones, and returns them all', async () => {
      const existing = newRun();
      await store.runs.ensure(existing);
      await store.runs.markRunning(existing.id, worker);
      const fresh = Array.from({ length: 1500 }, () => newRun());

      const records = await store.runs.ensureMany([existing, ...fresh, existing]);
      const byId = new Map(records.map((record) => [record.id, record]));
      expect(byId.size).toBe(1501);
      expect(byId.get(existing.id)?.status).toBe('running');
      expect(fresh.every((run) => byId.get(run.id)?.status === 'queued')).toBe(true);
    });
  });

  describe('release', () => {
    it('moves a running run back to queued, and leaves a cancelled one cancelled', async () => {
      const running = (await store.runs.ensure(newRun())).run.id;
      await store.runs.markRunning(running, worker);
      const cancelled = (await store.runs.ensure(newRun())).run.id;
      await store.runs.markRunning(cancelled, worker);
      await store.runs.cancel(cancelled);

      expect((await store.runs.release(running)).run.status).toBe('queued');
      const refused = await store.runs.release(cancelled);
      expect(refused).toMatchObject({ changed: false, run: { status: 'cancelled' } });
    });

    describe('when a worker is named', () => {
      it('releases only a run that worker holds', async () => {
        const { run } = await store.runs.ensure(newRun());
        await store.runs.markRunning(run.id, { ...worker, worker: 'successor' });

        expect((await store.runs.release(run.id, 'w-1')).changed).toBe(false);
        expect((await store.runs.release(run.id, 'successor')).changed).toBe(true);
      });
    });
  });

  describe('cancel', () => {
    it('cancels a queued run once', async () => {
      const { run } = await store.runs.ensure(newRun());
      expect((await store.runs.cancel(run.id)).changed).toBe(true);
      expect((await store.runs.cancel(run.id)).changed).toBe(false);
      expect((await store.runs.get(run.id))?.status).toBe('cancelled');
    });
  });
});
