/**
 * `npm run worker`: one BullMQ worker on the runs queue. The processor runs sandboxed in a
 * child process (see processor.ts). On SIGTERM or SIGINT the worker stops taking jobs, asks
 * the running ones to stop at a safe point and hand themselves back, and exits.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'bullmq';
import { RUNS_QUEUE, createRedis, type RunJobData, type RunJobResult } from '@metaopt/queue';
import { loadWorkerConfig } from './config.js';
import { createLogger } from './logger.js';

const processorFile = fileURLToPath(new URL('./processor.ts', import.meta.url));

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const log = createLogger(config.logLevel, { role: 'main' });
  const connection = createRedis(config.redisUrl, 'worker');

  const worker = new Worker<RunJobData, RunJobResult>(RUNS_QUEUE, processorFile, {
    connection,
    prefix: config.queuePrefix,
    concurrency: config.concurrency,
    // A .ts processor loads in a child process under tsx, not in a worker thread.
    useWorkerThreads: false,
    lockDuration: config.lockDurationMs,
    stalledInterval: config.stalledIntervalMs,
  });
  worker.on('failed', (job, err) => log.warn({ jobId: job?.id, err }, 'job attempt failed'));
  worker.on('error', (err) => log.error({ err }, 'worker error'));
  log.info(
    { queue: RUNS_QUEUE, prefix: config.queuePrefix, concurrency: config.concurrency },
    'worker started',
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    worker.cancelAllJobs('shutdown');
    const closed = worker.close().then(() => true);
    const timedOut = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), config.shutdownGraceMs).unref(),
    );
    if (!(await Promise.race([closed, timedOut]))) {
      log.warn({}, 'grace period over; leaving active jobs to stalled-job recovery');
      await worker.close(true);
    }
    await connection.quit().catch(() => undefined);
    log.info({}, 'worker stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
