/**
 * A run whose worker is lost more often than WORKER_MAX_STALLED_COUNT allows, on real worker
 * processes against real Redis and PostgreSQL. BullMQ fails its job with "job stalled more
 * than allowable limit" without running it again (the stalled check marks the job, and the
 * next worker to fetch it fails it unstarted), and that worker records the run as failed
 * with RUN_STALLED (apps/worker/src/main.ts), so no record goes on saying `running` with
 * nobody working on it. With the default count the same kill is resumed instead, as
 * interruptions.test.ts shows; here the count is 0, so the first loss is one too many.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import {
  linesOf,
  linesOnceLogged,
  logLines,
  processAlive,
  runReaches,
  stateEpochs,
  tail,
} from '../helpers/faults.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices } from '../helpers/services.js';
import { spawnWorker, type TestWorker } from '../helpers/worker.js';

/** Eight roll-outs of 100 steps an epoch: long enough to be killed partway. */
const metaTrain = {
  kind: 'meta-train',
  task: { kind: 'quadratic' },
  epochs: 4,
  rolloutsPerEpoch: 8,
  steps: 100,
  unroll: 20,
  nTests: 8,
  seed: 12,
};

/** Short locks, so a dead worker's job is found stalled within seconds; no loss allowed. */
const NO_LOSS_ALLOWED = {
  WORKER_LOCK_DURATION_MS: '2000',
  WORKER_STALLED_INTERVAL_MS: '1000',
  WORKER_MAX_STALLED_COUNT: '0',
};

/** BullMQ's reason, which main.ts matches to tell a stalled job from a crashed processor. */
const STALLED_TOO_OFTEN = 'job stalled more than allowable limit';

async function submit(api: TestApi): Promise<string> {
  const response = await api.app.inject({ method: 'POST', url: '/v1/runs', payload: metaTrain });
  expect(response.statusCode).toBe(202);
  return response.json().id;
}

describe('a run that loses its worker more often than WORKER_MAX_STALLED_COUNT allows', () => {
  let api: TestApi | undefined;
  const workers: TestWorker[] = [];
  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop('SIGKILL')));
    await api?.close();
  });

  describe('when its worker is SIGKILLed in the middle of an epoch', () => {
    it('fails once with RUN_STALLED, is not run again, and reruns when resubmitted', async () => {
      const services = await testServices('stalled-limit');
      api = await startTestApi(services);
      const first = spawnWorker(services, { ...NO_LOSS_ALLOWED, WORKER_NAME: 'first' });
      workers.push(first);
      const runId = await submit(api);

      // 1. Let one epoch be checkpointed, then kill the worker, hard, and wait for its
      //    orphaned processor to stop, so that nothing but the next worker writes the record.
      await pollUntil(
        () => stateEpochs(api!.store, runId),
        (epochs) => epochs.includes(1),
        { timeoutMs: 120_000, intervalMs: 50 },
      );
      const child = linesOf([first], 'run started', runId)[0]!.pid!;
      first.process.kill('SIGKILL');
      await first.stop('SIGKILL');
      await pollUntil(
        async () => processAlive(child),
        (alive) => !alive,
        { timeoutMs: 10_000, intervalMs: 50 },
      );
      expect(processAlive(child)).toBe(false);
      expect((await api.store.runs.get(runId))?.status).toBe('running');

      // 2. The next worker finds the job stalled once, one more than allowed: the job fails
      //    for good, and the record says why, on the store and on the API alike.
      const second = spawnWorker(services, { ...NO_LOSS_ALLOWED, WORKER_NAME: 'second' });
      workers.push(second);
      const failed = await runReaches(api.store, runId, ['failed', 'succeeded'], 30_000);
      expect(failed.status, tail(second)).toBe('failed');
      expect(failed.error).toEqual({ code: 'RUN_STALLED', message: expect.any(String) });
      const shown = await api.app.inject({ method: 'GET', url: `/v1/runs/${runId}` });
      expect(shown.json()).toMatchObject({ status: 'failed', error: { code: 'RUN_STALLED' } });
      const job = await api.producer.queue.getJob(runId);
      expect(await job?.getState()).toBe('failed');
      expect(job?.failedReason).toBe(STALLED_TOO_OFTEN);

      // 3. Several stalled intervals later: failed once, by the second worker, which never
      //    started the run; the record has not moved.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      const attemptsFailed = [first, second].flatMap((worker) =>
        logLines(worker).filter((l) => l.msg === 'job attempt failed' && l.jobId === runId),
      );
      expect(attemptsFailed, tail(second)).toHaveLength(1);
      expect(logLines(second)).toContainEqual(
        expect.objectContaining({ msg: 'job attempt failed', jobId: runId }),
      );
      expect(linesOf([second], 'run started', runId)).toHaveLength(0);
      expect(linesOf(workers, 'run started', runId)).toHaveLength(1);
      expect(linesOf(workers, 'run finished', runId)).toHaveLength(0);
      expect(await api.store.runs.get(runId)).toEqual(failed);

      // 4. Failed runs are restartable: the same spec submitted again is computed again, by
      //    the worker that failed it, and the record forgets the failure.
      expect(await submit(api)).toBe(runId);
      const done = await runReaches(api.store, runId, ['succeeded'], 120_000);
      expect(done).toMatchObject({ worker: 'second', error: null });
      expect(linesOf([second], 'run started', runId)).toHaveLength(1);
      expect(await linesOnceLogged(workers, 'run finished', runId)).toHaveLength(1);
    });
  });
});
