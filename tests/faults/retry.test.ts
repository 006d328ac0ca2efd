/**
 * Retrying a sweep whose cells failed for a reason outside the spec (issue 5, fault 6): an
 * MNIST-format data directory that is not there yet, as when a volume is not mounted. Once
 * the files are in place, POST /v1/sweeps/:id/retry runs exactly the failed cell again; the
 * cells that succeeded are not recomputed.
 */
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir, tinySet, writeSet } from '../../packages/datasets/test/idx-files.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { runReaches, startsByRun, tail } from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

describe('retrying a sweep with failed cells', () => {
  let api: TestApi;
  let worker: TestWorker;
  let root: string;
  let dataDir: string;

  beforeAll(async () => {
    root = await makeTempDir('retry');
    dataDir = join(root, 'not-mounted-yet');
    const services = await testServices('retry');
    // The API and the worker read IDX directories only inside METAOPT_DATA_DIRS.
    const dataDirs = { METAOPT_DATA_DIRS: root };
    // One attempt: the failure is recorded at once instead of after two backed-off retries.
    api = await startTestApi(services, { RUN_ATTEMPTS: '1', ...dataDirs });
    worker = spawnWorker(services, dataDirs);
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await rm(root, { recursive: true, force: true });
  });

  const sweepOf = () => ({
    name: 'retry',
    base: { kind: 'baseline', steps: 10, nTests: 2, optimizer: { name: 'adam', lr: 0.1 } },
    blocks: [
      { with: { task: { kind: 'quadratic' } }, grid: { 'optimizer.lr': [0.1, 0.01] } },
      {
        with: {
          task: { kind: 'mnist', dataset: { idxDir: dataDir }, hidden: [4], batchSize: 8 },
        },
      },
    ],
  });
  const view = async (id: string) =>
    (await api.app.inject({ method: 'GET', url: `/v1/sweeps/${id}` })).json();
  const retry = (id: string) => api.app.inject({ method: 'POST', url: `/v1/sweeps/${id}/retry` });

  it('re-runs exactly the failed cell, and the others stay as they were', async () => {
    const { id } = (
      await api.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweepOf() })
    ).json();
    const failed = await pollUntil(
      () => view(id),
      (sweep) => sweep.status === 'failed' || sweep.status === 'succeeded',
    );
    expect(failed.status, worker.output().slice(-4000)).toBe('failed');
    const failedRuns = failed.runs.filter((run: { status: string }) => run.status === 'failed');
    expect(failedRuns).toHaveLength(1);
    const [broken] = failedRuns;
    expect(broken.task).toBe('mnist');
    expect(broken.error.code).toBe('RUN_FAILED');
    const others = failed.runs.filter((run: { id: string }) => run.id !== broken.id);
    expect(others.map((run: { status: string }) => run.status)).toEqual(['succeeded', 'succeeded']);

    // The data arrives; the retry names the one run it starts over.
    await mkdir(dataDir);
    await writeSet(dataDir, 'train', tinySet(64, 4, 4));
    await writeSet(dataDir, 't10k', tinySet(32, 4, 4));
    const retried = await retry(id);
    expect(retried.statusCode).toBe(202);
    expect(retried.json()).toEqual({ id, runIds: [broken.id] });

    await runReaches(api.store, broken.id, ['succeeded']);
    expect((await view(id)).status).toBe('succeeded');
    const starts = startsByRun([worker]);
    expect(starts.get(broken.id), tail(worker)).toBe(2);
    for (const run of others) expect(starts.get(run.id)).toBe(1);
    for (const run of others) {
      const after = await api.store.runs.get(run.id);
      expect(after?.finishedAt?.toISOString()).toBe(run.finishedAt);
    }
  });

  describe('when nothing in the sweep failed', () => {
    it('retries nothing', async () => {
      const { id } = (
        await api.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweepOf() })
      ).json();
      const done = await pollUntil(
        () => view(id),
        (sweep) => sweep.status === 'succeeded',
      );
      expect(done.status).toBe('succeeded');
      expect((await retry(id)).json()).toEqual({ id, runIds: [] });
    });
  });

  describe('when the sweep is unknown', () => {
    it('answers 404 SWEEP_NOT_FOUND', async () => {
      const response = await retry('c'.repeat(64));
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('SWEEP_NOT_FOUND');
    });
  });
});
