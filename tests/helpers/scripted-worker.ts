/**
 * An in-process stand-in for the worker, for tests about what happens around a run rather
 * than its numerics: it moves records and jobs exactly as the real processor does (records
 * first, then the job's progress and result), with an outcome picked by the run's learning
 * rate, so that every event a real run can produce is produced in milliseconds.
 */
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { RUNS_QUEUE, createRedis, type RunJobData } from '@metaopt/queue';
import type { Store } from '@metaopt/store';
import type { TestServices } from './services.js';

/** The learning rates that script an outcome; any other succeeds. */
export const SCRIPTED_LR = { diverges: 0.2, fails: 0.3 } as const;

export interface ScriptedWorker {
  close(): Promise<void>;
}

export function startScriptedWorker(services: TestServices, store: Store): ScriptedWorker {
  const connection = createRedis(services.redisUrl, 'worker');
  const worker = new Worker<RunJobData>(RUNS_QUEUE, (job) => processScripted(job, store), {
    connection,
    prefix: services.queuePrefix,
  });
  return {
    async close() {
      await worker.close();
      await connection.quit().catch(() => undefined);
    },
  };
}

async function processScripted(job: Job<RunJobData>, store: Store) {
  const { runId, spec } = job.data;
  const lr = spec.kind === 'baseline' ? spec.optimizer.lr : undefined;
  await store.runs.markRunning(runId, { worker: 'scripted', backend: 'cpu', attempt: 1 });
  await job.updateProgress({ fraction: 0.5, step: 5, loss: 1.5 });
  await job.updateProgress({
    fraction: 0.5,
    epoch: 1,
    loss: 1.25,
    checkpoint: { epoch: 1, score: 1.25, best: true },
  });

  if (lr === SCRIPTED_LR.fails) {
    await store.runs.fail(runId, { code: 'RUN_FAILED', message: 'scripted failure' }, 1);
    throw new UnrecoverableError('RUN_FAILED: scripted failure');
  }
  const diverged = lr === SCRIPTED_LR.diverges;
  const mean = [2, 1.5, diverged ? NaN : 1];
  await store.runs.finish(runId, {
    status: diverged ? 'diverged' : 'succeeded',
    summary: diverged ? { meanSumLoss: null, divergedAtStep: 2 } : { meanSumLoss: 4.5 },
    curves: [{ series: 'loss', steps: 3, problems: 1, mean }],
  });
  return { runId, status: diverged ? 'diverged' : 'succeeded' };
}
