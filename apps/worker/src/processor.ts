/**
 * The sandboxed processor: BullMQ runs this file in a child process, so the tensor loop,
 * which blocks its event loop for seconds at a time, never starves the parent's lock renewal
 * and a long job is never taken for stalled.
 *
 * Steps for one job: check the payload, answer from the store if the run is already
 * settled (or cancelled), wait (delayed) for the meta-training it evaluates, compute it,
 * then store the outcome in one transaction. A stop asked for midway ends a cancelled run's
 * job, and hands any other back to the queue.
 */
import { DelayedError, UnrecoverableError, WaitingError, type SandboxedJob } from 'bullmq';
import { NUMERICS_VERSION } from '@metaopt/l2l';
import { COMPARISON_JOB, GRID_JOB, type RunJobData, type RunJobResult } from '@metaopt/queue';
import { executeRun, type RunOutcome } from '@metaopt/runner';
import { NO_SIZE_LIMITS, SpecError, normalizeRun, runIdOf, type RunSpec } from '@metaopt/spec';
import type { RunRecord } from '@metaopt/store';
import type { Logger } from 'pino';
import { watchEventLoop } from './block-watch.js';
import { processComparison, processGrid } from './comparison-jobs.js';
import { dependencyOf } from './dependencies.js';
import { workerContext, type WorkerContext } from './context.js';
import { WorkerError } from './errors.js';
import { ProgressReporter } from './progress.js';
import { StoreRunServices, type StopReason } from './run-services.js';

/** Statuses in which a job has nothing left to compute: its answer is in the record. */
const SETTLED_STATUSES = new Set(['succeeded', 'diverged', 'cancelled']);

// The parent's death (SIGKILL, the OOM killer) closes the IPC channel. An orphaned processor
// must not go on writing the records and checkpoints of a job another worker will take over.
process.once('disconnect', () => process.exit(1));

export default async function processRun(
  job: SandboxedJob<RunJobData, RunJobResult>,
  token?: string,
  signal?: AbortSignal,
): Promise<RunJobResult> {
  const ctx = await workerContext();
  // A comparison's report and its learning-rate grids share the queue (comparison-jobs.ts).
  if (job.name === COMPARISON_JOB) return processComparison(ctx, asJob(job), token) as never;
  if (job.name === GRID_JOB) return processGrid(ctx, asJob(job), token, signal) as never;
  const { runId, spec } = await verifiedPayload(ctx, job);
  const log = ctx.log.child({
    runId,
    jobId: job.id,
    kind: spec.kind,
    requestId: job.data.requestId,
  });

  const existing = await ctx.store.runs.get(runId);
  if (existing && SETTLED_STATUSES.has(existing.status)) return settled(runId, existing, log);

  const dependency = await dependencyOf(ctx.store, spec);
  if (dependency.kind === 'pending') {
    await job.moveToDelayed(Date.now() + ctx.config.dependencyPollMs, token);
    log.debug({ dependency: dependency.runId }, 'waiting for the meta-training it needs');
    throw new DelayedError();
  }
  if (dependency.kind === 'lost') {
    throw await recordFailure(
      ctx,
      job,
      new WorkerError(
        'TRAINED_OPTIMIZER_MISSING',
        `The meta-training this evaluation needs, run ${dependency.runId}, is ` +
          `${dependency.status}; retry it first.`,
        false,
      ),
      { runId, log },
    );
  }

  const attempt = job.attemptsMade + 1;
  await ctx.store.runs.ensure({ id: runId, kind: spec.kind, taskKind: spec.task.kind, spec });
  const started = await ctx.store.runs.markRunning(runId, {
    worker: ctx.workerName,
    backend: ctx.backend,
    attempt,
  });
  // Settled or cancelled between the read above and now.
  if (!started.changed) return settled(runId, started.run, log);
  log.info({ attempt }, 'run started');

  const progress = new ProgressReporter(runId, job, ctx.store, ctx.config.progressIntervalMs);
  const services = new StoreRunServices(runId, ctx.store, log, progress, signal);
  const blocks = watchEventLoop();
  let outcome: RunOutcome;
  try {
    outcome = await executeRun(spec, services);
  } catch (error) {
    throw await recordFailure(ctx, job, error, { runId, log });
  } finally {
    log.info({ longestBlockMs: blocks.stop() }, 'numerics done');
  }

  if (outcome.kind === 'interrupted') {
    return stopped(ctx, job, token, { runId, log }, services.stopReason());
  }
  const stored = await ctx.store.runs.finish(runId, outcome);
  log.info({ status: stored.run.status, alreadyFinished: !stored.changed }, 'run finished');
  return stored.changed ? { runId, status: outcome.status } : resultOf(runId, stored.run);
}

function settled(runId: string, record: RunRecord, log: Logger): RunJobResult {
  log.info({ status: record.status }, 'run already settled');
  return resultOf(runId, record);
}

function resultOf(runId: string, record: RunRecord): RunJobResult {
  return { runId, status: record.status === 'cancelled' ? 'cancelled' : 'cached' };
}

/** The run a job is about, for the steps after its numerics. */
interface JobRun {
  readonly runId: string;
  readonly log: Logger;
}

/**
 * A payload is computed only if its spec is valid and hashes to its id: a job put on the
 * queue by anything but the API is held to the API's rules, its dataset directory included.
 * Such a job is not retried, and its record, if it has one, says why it failed rather than
 * staying queued.
 */
async function verifiedPayload(
  ctx: WorkerContext,
  job: SandboxedJob<RunJobData, RunJobResult>,
): Promise<{ runId: string; spec: RunSpec }> {
  const { runId } = job.data;
  let problem: string;
  try {
    const spec = normalizeRun(job.data.spec, { ...NO_SIZE_LIMITS, dataDirs: ctx.config.dataDirs });
    if (runIdOf(spec, NUMERICS_VERSION) === runId) return { runId, spec };
    problem = `the spec does not hash to run id ${runId}`;
  } catch (error) {
    problem = error instanceof SpecError ? error.message : String(error);
  }

  const error = { code: 'JOB_PAYLOAD_INVALID', message: `Job payload refused: ${problem}` };
  ctx.log.error({ jobId: job.id, runId, code: error.code }, 'job payload refused');
  if (typeof runId === 'string' && (await ctx.store.runs.get(runId))) {
    await ctx.store.runs.fail(runId, error, job.attemptsMade + 1);
  }
  throw new UnrecoverableError(`${error.code}: ${error.message}`);
}

/**
 * Stopped at a safe point. A cancelled run's job ends here, so that nothing retries it; any
 * other stop (a shutdown, or a cancellation undone by a resubmission meanwhile) hands the job
 * back to the waiting list without using up an attempt, for whichever worker comes next to
 * resume from the checkpoint just written.
 */
async function stopped(
  ctx: WorkerContext,
  job: SandboxedJob<RunJobData, RunJobResult>,
  token: string | undefined,
  run: JobRun,
  reason: StopReason | null,
): Promise<RunJobResult> {
  const record = await ctx.store.runs.get(run.runId);
  if (record?.status === 'cancelled') {
    run.log.info({ reason }, 'run cancelled');
    return { runId: run.runId, status: 'cancelled' };
  }

  await ctx.store.runs.release(run.runId, ctx.workerName);
  await job.moveToWait(token);
  run.log.info({ reason }, 'run handed back');
  throw new WaitingError();
}

/**
 * Records a failure on the run. Only the last attempt marks it failed; before that the run
 * goes back to queued, so nobody reads "running" for a run no worker is on.
 */
async function recordFailure(
  ctx: WorkerContext,
  job: SandboxedJob<RunJobData, RunJobResult>,
  error: unknown,
  run: JobRun,
): Promise<Error> {
  const retryable = !(error instanceof WorkerError) || error.retryable;
  const attempt = job.attemptsMade + 1;
  const lastAttempt = !retryable || attempt >= (job.opts.attempts ?? 1);
  const code = error instanceof WorkerError ? error.code : 'RUN_FAILED';
  const message = error instanceof Error ? error.message : String(error);
  run.log.error({ err: error, attempt, lastAttempt }, 'run failed');

  if (lastAttempt) await ctx.store.runs.fail(run.runId, { code, message }, attempt);
  else await ctx.store.runs.release(run.runId, ctx.workerName);

  return retryable
    ? error instanceof Error
      ? error
      : new Error(message)
    : new UnrecoverableError(`${code}: ${message}`);
}

/** The same job seen with another payload type: its name says which. */
function asJob<T>(job: SandboxedJob<RunJobData, RunJobResult>): SandboxedJob<T, unknown> {
  return job as unknown as SandboxedJob<T, unknown>;
}
