/**
 * Submitting a failed run again (a resubmission, or a sweep's retry) in the moment between its
 * processor recording the failure and BullMQ moving its job to the failed set. The job is still
 * active then, so a new job under the run's id would be refused as a copy, and the run would
 * stay queued with nothing to run it: the submission waits for the move instead.
 */
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { RUNS_QUEUE, RunProducer } from '@metaopt/queue';
import { planRun } from '@metaopt/spec';
import { createStore, type Store } from '@metaopt/store';
import { SubmissionService } from '../../apps/api/src/services/submissions.js';
import { pollUntil } from '../helpers/poll.js';
import { testServices, type TestServices } from '../helpers/services.js';

const runSpec = {
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'sgd', lr: 0.1 },
  steps: 5,
  nTests: 1,
};

describe('a failed run submitted again while its job is still failing', () => {
  let services: TestServices;
  let store: Store;
  let redis: Redis;
  let producer: RunProducer;
  let worker: Worker<unknown, never> | undefined;
  let workerConnection: Redis | undefined;

  beforeAll(async () => {
    services = await testServices('restart');
    store = createStore({ databaseUrl: services.databaseUrl });
    redis = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
    producer = new RunProducer({ connection: redis, prefix: services.queuePrefix, attempts: 1 });
  });
  afterAll(async () => {
    await worker?.close(true);
    await workerConnection?.quit();
    await producer?.close();
    await redis?.quit();
    await store?.close();
  });

  it('waits for the job to fail, then queues a new one', async () => {
    const [run] = planRun(runSpec, NUMERICS_VERSION);
    const submissions = new SubmissionService(store, producer);
    await submissions.submit([run!]);

    // A processor that records the failure, then takes a moment before it throws.
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    workerConnection = redis.duplicate();
    const failing = new Worker<unknown, never>(
      RUNS_QUEUE,
      async () => {
        await store.runs.markRunning(run!.id, { worker: 'w', backend: 'wasm', attempt: 1 });
        await store.runs.fail(run!.id, { code: 'RUN_FAILED', message: 'broken' }, 1);
        await released;
        throw new Error('broken');
      },
      { connection: workerConnection, prefix: services.queuePrefix },
    );
    worker = failing;
    await pollUntil(
      async () => (await store.runs.get(run!.id))?.status,
      (status) => status === 'failed',
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    // Fetches nothing more, so that a new job stays waiting; the active one still fails.
    await failing.pause(true);
    expect(await producer.queue.getJobState(run!.id)).toBe('active');

    // The processor throws only once the restart has seen its job active.
    const getJob = producer.queue.getJob.bind(producer.queue);
    producer.queue.getJob = async (id: string) => {
      const job = await getJob(id);
      const getState = job?.getState.bind(job);
      if (job && getState) {
        job.getState = async () => {
          const state = await getState();
          if (state === 'active') release();
          return state;
        };
      }
      return job;
    };
    await submissions.submit([run!]);

    expect(await producer.queue.getJobState(run!.id)).toBe('waiting');
    expect((await store.runs.get(run!.id))?.status).toBe('queued');
  });

  it('queues a new job for a queued run whose job failed without its record knowing', async () => {
    const [run] = planRun({ ...runSpec, steps: 6 }, NUMERICS_VERSION);
    const submissions = new SubmissionService(store, producer);
    await submissions.submit([run!]);

    // This processor fails the job but leaves the record queued, as a lost clean-up would.
    const connection = redis.duplicate();
    const failing = new Worker(
      RUNS_QUEUE,
      async () => {
        throw new Error('broken');
      },
      { connection, prefix: services.queuePrefix },
    );
    await pollUntil(
      () => producer.queue.getJobState(run!.id),
      (state) => state === 'failed',
      { timeoutMs: 20_000, intervalMs: 20 },
    );
    await failing.close();
    await connection.quit();
    expect((await store.runs.get(run!.id))?.status).toBe('queued');

    await submissions.submit([run!]);

    expect(await producer.queue.getJobState(run!.id)).toBe('waiting');
  });
});
