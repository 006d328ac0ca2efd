/**
 * Submitting a comparison: record its runs, its sweep and its layout, start over the runs
 * that failed or were cancelled before, then queue it as one BullMQ flow (the report job and
 * the runs still to compute; see @metaopt/queue's comparison.ts). A comparison whose report
 * is written and whose runs all stand is answered from the store.
 */
import type { ComparisonProducer, RunProducer } from '@metaopt/queue';
import type { ComparisonPlan, PlannedRun } from '@metaopt/spec';
import type { RunStatus, Store } from '@metaopt/store';

/** Statuses whose result stands: asking again answers from the store. */
const SETTLED = new Set<string>(['succeeded', 'diverged']);
/** Statuses that a new submission starts over. */
const RESTARTABLE = new Set<string>(['failed', 'cancelled']);

export interface ComparisonSubmission {
  readonly id: string;
  /** True when the report is written and every run stands: nothing was queued. */
  readonly cached: boolean;
  readonly runs: { id: string; kind: string; role: PlannedRun['role']; status: RunStatus }[];
  /** Runs queued as this comparison's own jobs, and runs already queued by others. */
  readonly queued: number;
  readonly joined: number;
}

export class ComparisonService {
  constructor(
    private readonly store: Store,
    private readonly producer: ComparisonProducer,
    private readonly runs: RunProducer,
    /** Told of every submission's runs, for the cache hit and miss counts. */
    private readonly onSubmitted: (runs: readonly { status: string }[]) => void = () => {},
  ) {}

  async submit(
    plan: ComparisonPlan,
    spec: object,
    requestId?: string,
  ): Promise<ComparisonSubmission> {
    // 1. Records first, so every id returned is readable at once.
    const statuses = new Map<string, RunStatus>();
    for (const run of plan.runs) {
      const { run: record } = await this.store.runs.ensure({
        id: run.id,
        kind: run.spec.kind,
        taskKind: run.spec.task.kind,
        spec: run.spec,
      });
      statuses.set(run.id, record.status);
    }
    await this.store.sweeps.ensure(
      { id: plan.id, name: plan.name, spec },
      plan.runs.map((run, position) => ({ runId: run.id, position, role: run.role })),
    );
    const comparison = await this.store.comparisons.ensure(plan.id, plan.layout);

    // 2. Failed and cancelled runs start over; their failed jobs must go first.
    const restart = plan.runs
      .map((run) => run.id)
      .filter((id) => RESTARTABLE.has(statuses.get(id)!));
    for (const id of restart) {
      const job = await this.runs.queue.getJob(id);
      if (job && (await job.isFailed())) await job.remove();
      statuses.set(id, 'queued');
    }
    if (restart.length > 0) await this.store.runs.requeue(restart);

    // 3. Answered from the store, or queued as a flow.
    const settled = new Set(
      plan.runs.map((run) => run.id).filter((id) => SETTLED.has(statuses.get(id)!)),
    );
    const runs = plan.runs.map((run) => ({
      id: run.id,
      kind: run.spec.kind,
      role: run.role,
      status: statuses.get(run.id)!,
    }));
    this.onSubmitted(runs);
    if (comparison.status === 'succeeded' && settled.size === plan.runs.length) {
      return { id: plan.id, cached: true, runs, queued: 0, joined: 0 };
    }
    if (comparison.status !== 'running') await this.store.comparisons.reopen(plan.id);
    const enqueued = await this.producer.enqueue(plan.id, plan.runs, settled, requestId);
    return {
      id: plan.id,
      cached: false,
      runs,
      queued: enqueued.queued.length,
      joined: enqueued.joined.length,
    };
  }
}
