/**
 * Cancelling runs and sweeps (issue 5, fault 7). A running run's worker stops at its next
 * step, whether it hears the API's announcement or only finds the record cancelled at its next
 * progress write; nothing requeues or retries a cancelled run; a queued one never starts; and
 * submitting it again starts it over.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { linesOf, runReaches, tail, waitForLine } from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

/** Long enough never to finish by itself during a test: 40 epochs of 8 roll-outs. */
const longMetaTrain = (seed: number) => ({
  kind: 'meta-train',
  task: { kind: 'quadratic' },
  epochs: 40,
  rolloutsPerEpoch: 8,
  steps: 100,
  unroll: 20,
  nTests: 4,
  seed,
});

describe('cancellation', () => {
  let api: TestApi;
  let worker: TestWorker;

  beforeAll(async () => {
    const services = await testServices('cancel');
    api = await startTestApi(services);
    worker = spawnWorker(services, { WORKER_NAME: 'only' });
  });
  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await api?.close();
  });

  const post = (url: string, payload?: object) =>
    api.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
  const runningWithProgress = (id: string) =>
    pollUntil(
      () => api.store.runs.get(id),
      (run) => run?.status === 'running' && (run.progress?.fraction ?? 0) > 0,
      { timeoutMs: 120_000, intervalMs: 50 },
    );

  /** The record stays cancelled for a while: nothing hands it back or retries it. */
  async function staysCancelled(id: string): Promise<void> {
    for (let i = 0; i < 10; i++) {
      expect((await api.store.runs.get(id))?.status).toBe('cancelled');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(await api.producer.queue.getJob(id)).toBeUndefined();
  }

  describe('when a running run is cancelled', () => {
    it('stops at its next step, stays cancelled, and the worker goes on', async () => {
      const { id } = (await post('/v1/runs', longMetaTrain(1))).json();
      await runningWithProgress(id);

      const cancelledAt = Date.now();
      const response = await post(`/v1/runs/${id}/cancel`);
      expect(response.statusCode).toBe(202);
      expect(response.json()).toMatchObject({ id, status: 'cancelled' });

      await waitForLine(worker, (line) => line.msg === 'run cancelled' && line.runId === id);
      expect(Date.now() - cancelledAt).toBeLessThan(5000);
      expect(linesOf([worker], 'run cancelled', id)[0]?.reason).toBe('cancelled');
      await staysCancelled(id);

      // The worker is free for the next job.
      const next = (
        await post('/v1/runs', {
          kind: 'baseline',
          task: { kind: 'quadratic' },
          optimizer: { name: 'sgd', lr: 0.01 },
          steps: 5,
          nTests: 2,
        })
      ).json();
      await runReaches(api.store, next.id, ['succeeded']);
    });
  });

  describe('when the worker misses the announcement', () => {
    it('stops at its next progress write, finding the record cancelled', async () => {
      const { id } = (await post('/v1/runs', longMetaTrain(2))).json();
      await runningWithProgress(id);

      // Straight to the store: no message reaches the worker.
      await api.store.runs.cancel(id);
      const line = await waitForLine(
        worker,
        (entry) => entry.msg === 'run cancelled' && entry.runId === id,
      );
      expect(line.reason).toBe('record-moved');
      await staysCancelled(id);
    });
  });

  describe('when a sweep is cancelled', () => {
    it('stops the running run, never starts the queued one, and can be resubmitted', async () => {
      const sweep = {
        name: 'cancel-me',
        base: longMetaTrain(3),
        grid: { seed: [3, 4] },
      };
      const submitted = (await post('/v1/sweeps', sweep)).json();
      const [first, second] = submitted.runs.map((run: { id: string }) => run.id);
      await runningWithProgress(first);

      const response = await post(`/v1/sweeps/${submitted.id}/cancel`);
      expect(response.statusCode).toBe(202);
      expect(response.json().runIds.sort()).toEqual([first, second].sort());
      await waitForLine(worker, (line) => line.msg === 'run cancelled' && line.runId === first);
      await staysCancelled(first);
      // The queued run's job may still be fetched; it ends at once without starting.
      await pollUntil(
        async () => api.producer.queue.getJob(second),
        (job) => job === undefined,
        { timeoutMs: 30_000 },
      );
      expect(linesOf([worker], 'run started', second)).toHaveLength(0);

      // Cancelling a finished run is refused; resubmitting a cancelled one starts it over.
      const again = (
        await post('/v1/sweeps', { ...sweep, base: { ...sweep.base, epochs: 1 } })
      ).json();
      await runReaches(api.store, again.runs[0].id, ['succeeded'], 120_000);
      const refused = await post(`/v1/runs/${again.runs[0].id}/cancel`);
      expect(refused.statusCode).toBe(409);
      expect(refused.json().code).toBe('RUN_NOT_CANCELLABLE');

      const resubmitted = (await post('/v1/sweeps', sweep)).json();
      expect(resubmitted.runs.map((run: { status: string }) => run.status)).toEqual([
        'queued',
        'queued',
      ]);
      await runningWithProgress(first).catch((error) => {
        throw new Error(`${error}\n${tail(worker)}`);
      });
      await post(`/v1/sweeps/${submitted.id}/cancel`);
    });
  });

  describe('when a comparison is cancelled while its learning-rate grid runs', () => {
    it('stops the grid at its next progress write, and its runs stay cancelled', async () => {
      // 1000 quadratics of dimension 100 for 10,000 steps at two rates: hours of work.
      const comparison = {
        name: 'cancel-grid',
        task: { kind: 'quadratic', dim: 100 },
        steps: 10_000,
        nTests: 1000,
        baselines: { optimizers: ['sgd'], lrs: [0.01, 0.001] },
      };
      const submitted = (await post('/v1/comparisons', comparison)).json();
      const runIds: string[] = submitted.runs.map((run: { id: string }) => run.id);
      expect(runIds).toHaveLength(2);
      await Promise.all(runIds.map(runningWithProgress));

      const response = await post(`/v1/sweeps/${submitted.id}/cancel`);
      expect(response.statusCode).toBe(202);
      const stopped = await waitForLine(
        worker,
        (line) => line.msg === 'learning-rate grid stopped: its runs were cancelled',
        30_000,
      );
      expect(stopped.runs).toBe(2);
      for (const id of runIds) await staysCancelled(id);
    });
  });
});
