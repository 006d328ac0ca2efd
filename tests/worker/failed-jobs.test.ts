/**
 * The worker's clean-up after a failed job (apps/worker/src/failed-jobs.ts), on real Redis and
 * PostgreSQL. Its news can come late: by then a retry may have removed the failed job and put
 * a new one in its place, under the same id, whose run is already running. CI once saw that
 * clean-up hand the new run back, which then ran a third time.
 */
import { Queue, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNS_QUEUE, type RunJobData, type RunJobResult } from '@metaopt/queue';
import { createStore, type Store } from '@metaopt/store';
import { settleFailedJob, type Settling } from '../../apps/worker/src/failed-jobs.js';
import { testServices } from '../helpers/services.js';

const spec = { kind: 'baseline', task: { kind: 'quadratic' } };

describe('cleaning up after a failed job', () => {
  let store: Store;
  let redis: Redis;
  let queue: Queue<RunJobData, RunJobResult>;
  let settling: Settling;

  beforeAll(async () => {
    const services = await testServices('failed-jobs');
    store = createStore({ databaseUrl: services.databaseUrl });
    redis = new Redis(services.redisUrl, { maxRetriesPerRequest: null });
    queue = new Queue(RUNS_QUEUE, { connection: redis, prefix: services.queuePrefix });
    settling = {
      store,
      queue: queue as Queue,
      workerName: 'cleaner',
      gridEvents: () => {
        throw new Error('no grid here');
      },
      log: pino({ level: 'silent' }),
    };
  });
  afterAll(async () => {
    await queue?.close();
    await redis?.quit();
    await store?.close();
  });

  /** A run whose record says running, as this worker's crashed processor left it, and its job. */
  async function runningRun(id: string): Promise<Job<RunJobData, RunJobResult>> {
    await store.runs.ensure({ id, kind: 'baseline', taskKind: 'quadratic', spec: spec as never });
    await store.runs.markRunning(id, { worker: 'cleaner', backend: 'wasm', attempt: 1 });
    return queue.add('baseline', { runId: id, spec } as never, { jobId: id });
  }

  it('releases the running run of the job it is about', async () => {
    const id = 'a'.repeat(64);
    const job = await runningRun(id);

    await settleFailedJob(settling, job as Job, new Error('processor crashed'));

    expect((await store.runs.get(id))?.status).toBe('queued');
  });

  it('leaves alone the run of a job added since under the same id', async () => {
    const id = 'b'.repeat(64);
    const failed = await runningRun(id);
    await failed.remove();
    await new Promise((resolve) => setTimeout(resolve, 5));
    const replacement = await queue.add('baseline', { runId: id, spec } as never, { jobId: id });
    expect(replacement.timestamp).not.toBe(failed.timestamp);

    await settleFailedJob(settling, failed as Job, new Error('processor crashed'));

    expect((await store.runs.get(id))?.status).toBe('running');
  });
});
