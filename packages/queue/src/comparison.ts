/**
 * Puts a comparison on the queue as one BullMQ flow: a `comparison` job whose children are
 * the comparison's runs, so that BullMQ wakes it when the last of them ends and it writes the
 * report (table and figures). Its children are jobs with `ignoreDependencyOnFailure`: a run
 * that fails is a failed cell of the table, not a reason to hold the report back.
 *
 * Baseline runs that differ only in their learning rate go in as one `baseline-grid` job,
 * computed as one batch (the learning rates as a batch dimension): 44 runs of the paper's
 * grid are 4 jobs, each about as costly as one run.
 *
 * A run that already has a job (queued by another sweep or comparison) is not made a child:
 * BullMQ gives a job one parent, and a second one added later fails the whole flow. The
 * comparison job therefore also checks, when it runs, that every run has settled, and waits
 * (delayed) for any that has not.
 */
import { FlowProducer, Queue, type FlowJob, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { canonicalJson, sha256Hex, type PlannedRun, type RunSpec } from '@metaopt/spec';

import { RUNS_QUEUE } from './names.js';
import type { RunJobData } from './payload.js';

/** The job name of a comparison's report. */
export const COMPARISON_JOB = 'comparison';
/** The job name of baseline runs computed as one learning-rate grid. */
export const GRID_JOB = 'baseline-grid';

export interface ComparisonJobData {
  readonly comparisonId: string;
  readonly requestId?: string;
}

/** Baseline runs identical but for `optimizer.lr`, in the order of their learning rates. */
export interface GridJobData {
  readonly runs: readonly { readonly runId: string; readonly spec: RunSpec }[];
  readonly requestId?: string;
}

export function comparisonJobId(comparisonId: string): string {
  return `comparison-${comparisonId}`;
}

export interface ComparisonProducerOptions {
  readonly connection: Redis;
  readonly prefix: string;
  /** Tries per job before its runs are recorded as failed (default 3). */
  readonly attempts?: number;
  /** Wait before the first retry, doubled for each one after (default 5000). */
  readonly retryDelayMs?: number;
}

export interface ComparisonEnqueued {
  /** Run ids put on the queue as children of the comparison job. */
  readonly queued: readonly string[];
  /** Run ids that already had a job: the comparison job waits for them by polling. */
  readonly joined: readonly string[];
}

export class ComparisonProducer {
  private readonly queue: Queue;
  private readonly flows: FlowProducer;
  private readonly jobOptions: JobsOptions;

  constructor(options: ComparisonProducerOptions) {
    this.queue = new Queue(RUNS_QUEUE, { connection: options.connection, prefix: options.prefix });
    this.flows = new FlowProducer({ connection: options.connection, prefix: options.prefix });
    this.jobOptions = {
      attempts: options.attempts ?? 3,
      backoff: { type: 'exponential', delay: options.retryDelayMs ?? 5000 },
      removeOnComplete: true,
      removeOnFail: { age: 7 * 24 * 3600 },
    };
  }

  /**
   * Queues the comparison's report job with every run not in `settled` as its children (or
   * joined, when it already has a job). Runs that must be computed again must have had their
   * failed jobs removed first.
   */
  async enqueue(
    comparisonId: string,
    runs: readonly PlannedRun[],
    settled: ReadonlySet<string>,
    requestId?: string,
  ): Promise<ComparisonEnqueued> {
    const rootId = comparisonJobId(comparisonId);
    const root = await this.queue.getJob(rootId);
    // A failed report job would stay failed under a new flow with its id: start it over.
    if (root && (await root.isFailed())) await root.remove();

    const extra = requestId ? { requestId } : {};
    const queued: string[] = [];
    const joined: string[] = [];
    const children: FlowJob[] = [];
    for (const { job, runIds } of this.jobsOf(
      runs.filter((run) => !settled.has(run.id)),
      extra,
    )) {
      const exists = (await this.queue.getJob(job.opts!.jobId!)) !== undefined;
      (exists ? joined : queued).push(...runIds);
      if (!exists) children.push(job);
    }

    await this.flows.add({
      name: COMPARISON_JOB,
      queueName: RUNS_QUEUE,
      data: { comparisonId, ...extra } satisfies ComparisonJobData,
      opts: { ...this.jobOptions, jobId: rootId },
      children,
    });
    return { queued, joined };
  }

  async close(): Promise<void> {
    await Promise.all([this.queue.close(), this.flows.close()]);
  }

  /** One job per run, but one per learning-rate grid of baselines. */
  private jobsOf(
    runs: readonly PlannedRun[],
    extra: { requestId?: string },
  ): { job: FlowJob; runIds: string[] }[] {
    const child = (name: string, data: object, jobId: string): FlowJob => ({
      name,
      queueName: RUNS_QUEUE,
      data,
      opts: { ...this.jobOptions, jobId, ignoreDependencyOnFailure: true },
    });
    const single = (run: PlannedRun) => ({
      job: child(run.spec.kind, { runId: run.id, spec: run.spec, ...extra } as RunJobData, run.id),
      runIds: [run.id],
    });
    const grids = new Map<string, PlannedRun[]>();
    const jobs: { job: FlowJob; runIds: string[] }[] = [];
    for (const run of runs) {
      const key = gridKey(run.spec);
      if (key === null) jobs.push(single(run));
      else grids.set(key, [...(grids.get(key) ?? []), run]);
    }
    for (const members of grids.values()) {
      if (members.length === 1) {
        jobs.push(single(members[0]!));
        continue;
      }
      const runIds = members.map((run) => run.id);
      const data: GridJobData = {
        runs: members.map((run) => ({ runId: run.id, spec: run.spec })),
        ...extra,
      };
      jobs.push({ job: child(GRID_JOB, data, `grid-${sha256Hex(runIds.join(','))}`), runIds });
    }
    return jobs;
  }
}

/** What a baseline shares with the other cells of its learning-rate grid; null otherwise. */
export function gridKey(spec: RunSpec): string | null {
  if (spec.kind !== 'baseline') return null;
  const optimizer: { lr?: number } = { ...spec.optimizer };
  delete optimizer.lr;
  return canonicalJson({ ...spec, optimizer });
}
