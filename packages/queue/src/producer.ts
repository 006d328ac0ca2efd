/**
 * Puts planned runs on the queue. The job id is the run's content hash, so BullMQ itself
 * refuses a second copy of a run that is already queued or running: concurrent submissions
 * of the same sweep join the same jobs.
 */
import { FlowProducer, Queue, type FlowJob, type JobsOptions } from 'bullmq';
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
  private readonly flows: FlowProducer;
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
    this.flows = new FlowProducer({ connection: options.connection, prefix: options.prefix });
    this.jobOptions = {
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.retryDelayMs ?? 5000 },
      // Results live in PostgreSQL; keeping finished jobs would only grow Redis.
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /**
   * Enqueues every run not in `settled` (finished already, or otherwise not to be computed).
   * A run whose dependency still has to be computed goes in as a flow, so BullMQ holds it
   * until the dependency completes.
   */
  async enqueue(
    runs: readonly PlannedRun[],
    settled: ReadonlySet<string>,
    requestId?: string,
  ): Promise<string[]> {
    const byId = new Map(runs.map((run) => [run.id, run]));
    const neededByPending = new Set(
      runs.filter((run) => !settled.has(run.id)).flatMap((run) => run.dependsOn),
    );
    const enqueued = new Set<string>();

    for (const run of runs) {
      // A dependency still needed goes in as the child of the run that needs it.
      if (settled.has(run.id) || neededByPending.has(run.id)) continue;

      const pending = run.dependsOn.filter((id) => !settled.has(id));
      if (pending.length === 0) {
        await this.queue.add(run.spec.kind, this.dataOf(run, requestId), {
          ...this.jobOptions,
          jobId: run.id,
        });
      } else {
        await this.flows.add(this.flowOf(run, pending, byId, requestId));
      }
      for (const id of [run.id, ...pending]) enqueued.add(id);
    }
    return [...enqueued];
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
    await Promise.all([this.queue.close(), this.flows.close()]);
  }

  private flowOf(
    run: PlannedRun,
    pending: readonly string[],
    byId: ReadonlyMap<string, PlannedRun>,
    requestId?: string,
  ): FlowJob {
    const children = pending.map((id): FlowJob => {
      const child = byId.get(id);
      if (!child) throw new Error(`run ${run.id} depends on ${id}, which is not planned`);
      return {
        name: child.spec.kind,
        queueName: RUNS_QUEUE,
        data: this.dataOf(child, requestId),
        // A failed meta-training leaves nothing to evaluate: the evaluation fails with it.
        opts: { ...this.jobOptions, jobId: child.id, failParentOnFailure: true },
      };
    });
    return {
      name: run.spec.kind,
      queueName: RUNS_QUEUE,
      data: this.dataOf(run, requestId),
      opts: { ...this.jobOptions, jobId: run.id },
      children,
    };
  }

  private dataOf(run: PlannedRun, requestId?: string): RunJobData {
    return requestId
      ? { runId: run.id, spec: run.spec, requestId }
      : { runId: run.id, spec: run.spec };
  }
}
