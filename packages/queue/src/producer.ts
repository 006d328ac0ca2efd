/**
 * Puts planned runs on the queue. The job id is the run's content hash, so BullMQ itself
 * refuses a second copy of a run that is already queued or running: concurrent submissions
 * of the same sweep join the same jobs.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PlannedRun } from '@metaopt/spec';
import { RUNS_QUEUE, cancellationChannel } from './names.js';
import type { RunJobData } from './payload.js';

export interface RunProducerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  /** Tries per run before it is recorded as failed; infrastructure errors are retried. */
  readonly attempts?: number;
  /** Wait before the first retry, doubled for each one after (default 5000). */
  readonly retryDelayMs?: number;
}

export class RunProducer {
  readonly queue: Queue<RunJobData>;
  private readonly jobOptions: JobsOptions;
  private readonly connection: Redis;
  private readonly prefix: string;

  constructor(options: RunProducerOptions) {
    this.connection = options.connection;
    this.prefix = options.prefix;
    this.queue = new Queue<RunJobData>(RUNS_QUEUE, {
      connection: options.connection,
      prefix: options.prefix,
    });
    this.jobOptions = {
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.retryDelayMs ?? 5000 },
      // Results live in PostgreSQL; keeping finished jobs would only grow Redis.
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /**
   * Enqueues every run not in `settled` (finished already, or otherwise not to be computed),
   * dependencies first, as plain jobs: an evaluation picked up before the meta-training it
   * needs has finished waits for it in the worker (apps/worker/src/dependencies.ts). BullMQ
   * flows cannot express a run that many others need, which content addressing makes common.
   */
  async enqueue(
    runs: readonly PlannedRun[],
    settled: ReadonlySet<string>,
    requestId?: string,
  ): Promise<string[]> {
    const pending = runs.filter((run) => !settled.has(run.id));
    const needed = new Set(pending.flatMap((run) => run.dependsOn));
    const ordered = [
      ...pending.filter((run) => needed.has(run.id)),
      ...pending.filter((run) => !needed.has(run.id)),
    ];
    if (ordered.length === 0) return [];
    await this.queue.addBulk(
      ordered.map((run) => ({
        name: run.spec.kind,
        data: this.dataOf(run, requestId),
        opts: { ...this.jobOptions, jobId: run.id },
      })),
    );
    return ordered.map((run) => run.id);
  }

  /**
   * Tells every worker that these runs were cancelled. Fire and forget: a worker that misses
   * the message still finds the run cancelled in its record at its next progress write.
   */
  async announceCancelled(runIds: readonly string[]): Promise<void> {
    const channel = cancellationChannel(this.prefix);
    for (const id of runIds) await this.connection.publish(channel, id);
  }

  async close(): Promise<void> {
    await this.queue.close();
  }

  private dataOf(run: PlannedRun, requestId?: string): RunJobData {
    return requestId
      ? { runId: run.id, spec: run.spec, requestId }
      : { runId: run.id, spec: run.spec };
  }
}
