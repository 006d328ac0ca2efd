/**
 * The worker enforces METAOPT_DATA_DIRS again on each job, so a job that names a directory
 * it may not read is refused even when it reached the queue past the API's check: here an
 * API configured with a wider list than the worker's. The run fails at once, not retried,
 * saying which setting refused it, and nothing is read from the directory.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../packages/datasets/test/idx-files.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { runReaches, startsByRun } from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

describe('a job whose dataset directory the worker may not read', () => {
  let api: TestApi;
  let worker: TestWorker;
  let root: string;

  beforeAll(async () => {
    root = await makeTempDir('data-dirs');
    const services = await testServices('data-dirs');
    api = await startTestApi(services, { METAOPT_DATA_DIRS: root });
    worker = spawnWorker(services, { METAOPT_DATA_DIRS: join(root, 'worker-only') });
  });
  afterAll(async () => {
    await worker?.stop();
    await api?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('fails the run at once as JOB_PAYLOAD_INVALID, naming METAOPT_DATA_DIRS', async () => {
    const run = {
      kind: 'baseline',
      task: { kind: 'mnist', dataset: { idxDir: join(root, 'elsewhere') }, hidden: [4] },
      optimizer: { name: 'adam', lr: 0.1 },
      steps: 10,
      nTests: 2,
    };
    const submitted = await api.app.inject({ method: 'POST', url: '/v1/runs', payload: run });
    expect(submitted.statusCode).toBe(202);
    const { id } = submitted.json();

    const failed = await runReaches(api.store, id, ['failed']);
    expect(failed.error?.code, worker.output().slice(-4000)).toBe('JOB_PAYLOAD_INVALID');
    expect(failed.error?.message).toMatch(/METAOPT_DATA_DIRS/);
    expect(startsByRun([worker]).get(id)).toBeUndefined();
  });

  it('fails every run of a learning-rate grid the same way, and the comparison ends', async () => {
    const comparison = {
      name: 'refused-grid',
      task: { kind: 'mnist', dataset: { idxDir: join(root, 'elsewhere') }, hidden: [4] },
      steps: 10,
      nTests: 2,
      baselines: { optimizers: ['adam'], lrs: [0.1, 0.01] },
    };
    const submitted = await api.app.inject({
      method: 'POST',
      url: '/v1/comparisons',
      payload: comparison,
    });
    expect(submitted.statusCode, submitted.body).toBe(202);
    const { id, runs } = submitted.json() as { id: string; runs: { id: string }[] };
    expect(runs).toHaveLength(2);

    for (const run of runs) {
      const failed = await runReaches(api.store, run.id, ['failed']);
      expect(failed.error?.code, worker.output().slice(-4000)).toBe('JOB_PAYLOAD_INVALID');
      expect(failed.error?.message).toMatch(/METAOPT_DATA_DIRS/);
    }
    // Its runs ended, so the report job runs instead of waiting for them forever.
    const view = await pollUntil(
      async () => (await api.app.inject({ method: 'GET', url: `/v1/comparisons/${id}` })).json(),
      (answer) => answer.status !== 'running',
      { timeoutMs: 60_000 },
    );
    expect(view.status).not.toBe('running');
  });
});
