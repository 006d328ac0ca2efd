/**
 * The two jobs a comparison adds besides its runs (see @metaopt/queue's comparison.ts):
 *
 * - `comparison`, the parent of the comparison's runs: BullMQ wakes it when they have all
 *   ended. It checks every run has settled (runs it joined from other submissions may not
 *   have: it waits for those, delayed), then writes the report: each panel's table and
 *   figure, from the records and curves.
 * - `baseline-grid`: baseline runs that differ only in their learning rate, computed as one
 *   batch and stored run by run, exactly as each would have been alone.
 */
import { DelayedError, UnrecoverableError, WaitingError, type SandboxedJob } from 'bullmq';
import { NUMERICS_VERSION } from '@metaopt/l2l';
import type { ComparisonJobData, GridJobData } from '@metaopt/queue';
import {
  comparisonResult,
  renderComparisonFigures,
  type ComparisonRun,
  type Layout,
} from '@metaopt/report';
import { executeGrid, type RunOutcome } from '@metaopt/runner';
import { NO_SIZE_LIMITS, normalizeRun, runIdOf, type BaselineRun } from '@metaopt/spec';
import type { WorkerConfig } from './config.js';
import type { Logger } from 'pino';
import type { WorkerContext } from './context.js';
import { MemberEvents, failRuns, releaseRuns } from './member-events.js';
import { ProgressReporter } from './progress.js';

/** A grid run's end that its `completed` event reports (a failure has its own event). */
type GridRunEnd = 'succeeded' | 'diverged' | 'cancelled';
const ENDED_AS_RESULT: ReadonlySet<string> = new Set<GridRunEnd>([
  'succeeded',
  'diverged',
  'cancelled',
]);

/** Statuses a comparison's run ends in; a `queued` or `running` one is still to come. */
const ENDED = new Set(['succeeded', 'diverged', 'failed', 'cancelled']);

/** This process's publisher of grid runs' events: a connection opened on the first grid. */
let memberEvents: MemberEvents | undefined;

export async function processComparison(
  ctx: WorkerContext,
  job: SandboxedJob<ComparisonJobData, unknown>,
  token: string | undefined,
): Promise<{ comparisonId: string; status: string }> {
  const { comparisonId } = job.data;
  const log = ctx.log.child({ comparisonId, jobId: job.id, requestId: job.data.requestId });

  // 1. The comparison and its runs, as recorded.
  const [comparison, sweep] = await Promise.all([
    ctx.store.comparisons.get(comparisonId),
    ctx.store.sweeps.get(comparisonId),
  ]);
  if (!comparison || !sweep) {
    throw new UnrecoverableError(`COMPARISON_NOT_FOUND: no comparison ${comparisonId}`);
  }

  // 2. Runs joined from other submissions end on their own time: wait for them.
  const waiting = sweep.runs.filter((entry) => !ENDED.has(entry.run.status));
  if (waiting.length > 0) {
    await job.moveToDelayed(Date.now() + ctx.config.dependencyPollMs, token);
    log.debug({ waiting: waiting.length }, 'comparison waiting for its runs');
    throw new DelayedError();
  }

  // 3. The report: tables from the summaries, figures from the loss curves.
  const runs = new Map<string, ComparisonRun>(
    sweep.runs.map((entry) => [entry.runId, entry.run as ComparisonRun]),
  );
  try {
    const result = comparisonResult(comparison.layout as unknown as Layout, runs);
    const figures = await renderComparisonFigures(
      sweep.name ?? comparisonId.slice(0, 12),
      result,
      async (runId, maxPoints) => {
        const [curve] = await ctx.store.curves.get(runId, { series: 'loss', maxPoints });
        return curve;
      },
    );
    await ctx.store.comparisons.finish(comparisonId, { result, figures });
    log.info({ panels: result.panels.length }, 'comparison report written');
    return { comparisonId, status: 'succeeded' };
  } catch (error) {
    log.error({ err: error }, 'comparison report failed');
    const message = error instanceof Error ? error.message : String(error);
    await ctx.store.comparisons.fail(comparisonId, { code: 'COMPARISON_REPORT_FAILED', message });
    throw new UnrecoverableError(`COMPARISON_REPORT_FAILED: ${message}`);
  }
}

export async function processGrid(
  ctx: WorkerContext,
  job: SandboxedJob<GridJobData, unknown>,
  token: string | undefined,
  signal: AbortSignal | undefined,
): Promise<{ runs: number; status: string }> {
  const log = ctx.log.child({
    jobId: job.id,
    kind: 'baseline-grid',
    requestId: job.data.requestId,
  });

  // 1. Every run valid and matching its id; those settled meanwhile are left out.
  const events = (memberEvents ??= MemberEvents.open(ctx.config));
  let specs: { runId: string; spec: BaselineRun }[];
  try {
    specs = verifiedGrid(job.data, ctx.config);
  } catch (error) {
    throw await refuseGrid(ctx, job, error, log, events);
  }
  const todo: { runId: string; spec: BaselineRun }[] = [];
  for (const run of specs) {
    const record = await ctx.store.runs.get(run.runId);
    if (record && ['succeeded', 'diverged', 'cancelled'].includes(record.status)) continue;
    todo.push(run);
  }
  if (todo.length === 0) return { runs: 0, status: 'cached' };

  // 2. Mark them running.
  const attempt = job.attemptsMade + 1;
  for (const { runId, spec } of todo) {
    await ctx.store.runs.ensure({ id: runId, kind: spec.kind, taskKind: spec.task.kind, spec });
    await ctx.store.runs.markRunning(runId, {
      worker: ctx.workerName,
      backend: ctx.backend,
      attempt,
    });
  }
  const runIds = todo.map((run) => run.runId);
  await events.started(runIds);
  log.info({ runs: todo.length, attempt }, 'learning-rate grid started');

  // 3. Compute them as one batch; progress goes to every run's record and events, and (once
  //    per report, through the first run's reporter) to the grid's job for Bull Board.
  const reporters = runIds.map((runId, i) => {
    const sink = events.progressSink(runId);
    const withJob = {
      updateProgress: async (progress: object) => {
        await Promise.all([job.updateProgress(progress), sink.updateProgress(progress)]);
      },
    };
    const reporterSink = i === 0 ? withJob : sink;
    return new ProgressReporter(runId, reporterSink, ctx.store, ctx.config.progressIntervalMs);
  });
  // Cancelling a comparison cancels every run of its grids: the batch then computes for
  // nobody, and stops at its next progress write. A grid with some runs cancelled computes on
  // for the others (the batch is one program), and the cancelled ones stay cancelled.
  const everyRunCancelled = () => reporters.every((reporter) => reporter.recordLeftRunning);
  let outcomes: readonly RunOutcome[] | { kind: 'interrupted' };
  try {
    outcomes = await executeGrid(
      todo.map((run) => run.spec),
      {
        progress: async (progress, force) => {
          await Promise.all(reporters.map((reporter) => reporter.report(progress, force)));
        },
        stopRequested: () => (signal?.aborted ?? false) || everyRunCancelled(),
      },
    );
  } catch (error) {
    throw await gridFailure(ctx, job, runIds, error, log, events);
  }
  if (!Array.isArray(outcomes) && !signal?.aborted && everyRunCancelled()) {
    log.info({ runs: todo.length }, 'learning-rate grid stopped: its runs were cancelled');
    return { runs: 0, status: 'cancelled' };
  }

  // 4. Store each run's outcome, or hand the job back if it was stopped.
  if (!Array.isArray(outcomes)) {
    // Before the job is handed back: once it waits, another worker may take it and say so.
    await releaseRuns(ctx.store, events, runIds, ctx.workerName, 'waiting');
    await job.moveToWait(token);
    log.info({}, 'learning-rate grid handed back');
    throw new WaitingError();
  }
  for (const [i, { runId }] of todo.entries()) {
    const { run } = await ctx.store.runs.finish(runId, outcomes[i]!);
    // The record's status, not the outcome's: a run cancelled meanwhile stays cancelled.
    if (ENDED_AS_RESULT.has(run.status)) {
      await events.completed(runId, { runId, status: run.status as GridRunEnd });
    }
  }
  log.info({ runs: todo.length }, 'learning-rate grid finished');
  return { runs: todo.length, status: 'succeeded' };
}

/** Throws, saying why, unless every run is a baseline that hashes to its id and may run here. */
function verifiedGrid(
  data: GridJobData,
  config: Pick<WorkerConfig, 'dataDirs'>,
): { runId: string; spec: BaselineRun }[] {
  return data.runs.map(({ runId, spec }) => {
    const normalized = normalizeRun(spec, { ...NO_SIZE_LIMITS, dataDirs: config.dataDirs });
    if (normalized.kind !== 'baseline' || runIdOf(normalized, NUMERICS_VERSION) !== runId) {
      throw new Error(`grid run ${runId} does not match its spec`);
    }
    return { runId, spec: normalized };
  });
}

/**
 * A grid whose payload is refused fails every run it holds, for good: retrying cannot change
 * the payload, and runs left queued would keep their comparison's report waiting forever.
 */
async function refuseGrid(
  ctx: WorkerContext,
  job: SandboxedJob<GridJobData, unknown>,
  error: unknown,
  log: Logger,
  events: MemberEvents,
): Promise<Error> {
  const message = `Job payload refused: ${error instanceof Error ? error.message : String(error)}`;
  log.error({ code: 'JOB_PAYLOAD_INVALID' }, 'grid payload refused');
  const runIds = job.data.runs.map((run) => run.runId);
  const refusal = { code: 'JOB_PAYLOAD_INVALID', message };
  await failRuns(ctx.store, events, runIds, refusal, job.attemptsMade + 1);
  return new UnrecoverableError(`JOB_PAYLOAD_INVALID: ${message}`);
}

/** As a run's failure: the last attempt fails every run, an earlier one puts them back. */
async function gridFailure(
  ctx: WorkerContext,
  job: SandboxedJob<GridJobData, unknown>,
  runIds: readonly string[],
  error: unknown,
  log: Logger,
  events: MemberEvents,
): Promise<Error> {
  const attempt = job.attemptsMade + 1;
  const lastAttempt = attempt >= (job.opts.attempts ?? 1);
  const message = error instanceof Error ? error.message : String(error);
  log.error({ err: error, attempt, lastAttempt }, 'learning-rate grid failed');
  // (Publishing their events waits out a Redis outage, as the job itself does.)
  await (lastAttempt
    ? failRuns(ctx.store, events, runIds, { code: 'RUN_FAILED', message }, attempt)
    : releaseRuns(ctx.store, events, runIds, ctx.workerName, 'delayed'));
  return error instanceof Error ? error : new Error(message);
}
