/**
 * `npm run worker`: one BullMQ worker on the runs queue. The processor runs sandboxed in a
 * child process (see processor.ts). This process keeps the job's lock, passes cancellations
 * announced by the API on to the job, and keeps the record honest about jobs that end
 * without their processor saying so.
 *
 * On SIGTERM or SIGINT: stop taking jobs, ask the running ones to stop at their next safe
 * point (they checkpoint and hand themselves back), and exit 0 within the grace period.
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Queue, Worker } from 'bullmq';
import {
  RUNS_QUEUE,
  cancellationChannel,
  createRedis,
  type RunJobData,
  type RunJobResult,
} from '@metaopt/queue';
import { createStore } from '@metaopt/store';
import { loadWorkerConfig } from './config.js';
import { settleFailedJob } from './failed-jobs.js';
import { createLogger } from './logger.js';
import { MemberEvents } from './member-events.js';
import { patientStore } from './patient-store.js';
import { STOP_FOR_CANCELLATION, STOP_FOR_SHUTDOWN } from './stop-reasons.js';

const processorFile = fileURLToPath(new URL('./processor.ts', import.meta.url));

/** How often a closing worker repeats its stop request, for a job fetched just then. */
const STOP_REPEAT_MS = 200;

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const workerName = config.workerName ?? `${hostname()}:${process.pid}`;
  const log = createLogger(config.logLevel, { role: 'main', worker: workerName });
  const connection = createRedis(config.redisUrl, 'worker');
  const store = patientStore(createStore({ databaseUrl: config.databaseUrl }), {
    maxWaitMs: config.storeWaitMs,
    log,
  });

  const worker = new Worker<RunJobData, RunJobResult>(RUNS_QUEUE, processorFile, {
    connection,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    // A .ts processor loads in a child process under tsx, not in a worker thread.
    useWorkerThreads: false,
    // The processor names this worker on the records it writes, as this process does when
    // it cleans up after a job, so a clean-up can tell its own runs from a successor's.
    workerForkOptions: { env: { ...process.env, WORKER_NAME: workerName } },
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
    maxStalledCount: config.maxStalledCount,
  });
  // Read by the clean-up after a failed job, to tell the job from one added since in its place.
  const queue = new Queue(RUNS_QUEUE, { connection, prefix: config.queuePrefix });
  const active = new Set<string>();
  // Opened on the first grid that fails here: most workers never need the connection.
  let memberEvents: MemberEvents | undefined;
  const gridEvents = () => (memberEvents ??= MemberEvents.open(config));
  worker.on('active', (job) => void (job.id && active.add(job.id)));
  worker.on('completed', (job) => void (job.id && active.delete(job.id)));
  worker.on('failed', (job, err) => {
    if (!job?.id) return;
    active.delete(job.id);
    log.warn({ jobId: job.id, err }, 'job attempt failed');
    void settleFailedJob({ store, queue, workerName, gridEvents, log }, job, err);
  });
  worker.on('error', (err) => log.error({ err }, 'worker error'));

  const subscriber = connection.duplicate();
  // The worker logs Redis outages already; without a listener ioredis would print each retry.
  subscriber.on('error', () => undefined);
  subscriber.on('message', (_channel: string, runId: string) => {
    if (worker.cancelJob(runId, STOP_FOR_CANCELLATION)) {
      log.info({ runId }, 'cancellation passed to the job');
    }
  });
  subscriber
    .subscribe(cancellationChannel(config.queuePrefix))
    .catch((err: unknown) => log.error({ err }, 'cannot listen for cancellations'));
  log.info(
    { queue: RUNS_QUEUE, prefix: config.queuePrefix, concurrency: config.concurrency },
    'worker started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');

    // 1. Stop fetching first, then ask every job to stop, again and again while closing, so
    //    that a job fetched by a request already in flight is stopped too.
    const closed = worker.close().then(() => true);
    worker.cancelAllJobs(STOP_FOR_SHUTDOWN);
    const repeat = setInterval(() => worker.cancelAllJobs(STOP_FOR_SHUTDOWN), STOP_REPEAT_MS);

    // 2. Wait for the jobs to hand themselves back, up to the grace period.
    const timedOut = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), config.shutdownGraceMs).unref(),
    );
    const inTime = await Promise.race([closed, timedOut]);
    clearInterval(repeat);

    // 3. Past the grace period, the jobs left are recovered by stalled-job detection on
    //    another worker (from their last checkpoint); their records say queued meanwhile.
    if (!inTime) {
      log.warn({ jobs: [...active] }, 'grace period over; leaving jobs to stalled-job recovery');
      await Promise.all([...active].map((id) => store.runs.release(id, workerName)));
    }
    await subscriber.quit().catch(() => undefined);
    await queue.close().catch(() => undefined);
    await memberEvents?.close().catch(() => undefined);
    if (inTime) await connection.quit().catch(() => undefined);
    await store.close();
    log.info({ inTime }, 'worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
