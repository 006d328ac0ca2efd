/**
 * Acting on what was submitted already: cancelling runs and sweeps, and retrying a sweep's
 * failed cells. Cancelling changes the record first, which is what every worker and every
 * later submission go by, then announces it so the worker running the run stops at its next
 * step; a worker that misses the announcement finds the record cancelled at its next
 * progress write.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { planSweep } from '@metaopt/spec';
import type { RunRecord } from '@metaopt/store';
import type { FastifyBaseLogger } from 'fastify';
import type { ApiDeps } from '../../app.js';
import { ApiError } from '../../errors.js';
import { presentRun } from '../../present.js';
import { QUERY_ERRORS, errorResponses } from '../../error-docs.js';
import { ContentId, IdParams, RunView } from '../../schemas.js';

/** Statuses whose result stands: cancelling or retrying leaves them alone. */
const SETTLED = new Set(['succeeded', 'diverged']);
/** Statuses a retry starts over. */
const RETRYABLE = new Set(['failed', 'cancelled']);

const SweepAction = Type.Object({
  id: ContentId,
  /** The runs this request changed. */
  runIds: Type.Array(ContentId),
});

export function controlRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/runs/:id/cancel',
      {
        schema: {
          summary: 'Cancel a run: queued, it never starts; running, it stops at its next step',
          tags: ['runs'],
          params: IdParams,
          response: {
            202: RunView,
            ...errorResponses(...QUERY_ERRORS, 'RUN_NOT_FOUND', 'RUN_NOT_CANCELLABLE'),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        if (!(await deps.store.runs.get(id))) throw new ApiError('RUN_NOT_FOUND', `No run ${id}.`);

        const { run, changed } = await deps.store.runs.cancel(id);
        if (run.status !== 'cancelled') {
          throw new ApiError(
            'RUN_NOT_CANCELLABLE',
            `Run ${id} has already finished (${run.status}); there is nothing to cancel.`,
            { status: run.status },
          );
        }
        if (changed) await announce(deps, [id], request.log);
        request.log.info({ runId: id, changed }, 'run cancelled');
        return reply.status(202).send(presentRun(run));
      },
    );

    app.post(
      '/sweeps/:id/cancel',
      {
        schema: {
          summary: 'Cancel every run of a sweep that has not finished (runs it shares too)',
          tags: ['sweeps'],
          params: IdParams,
          response: { 202: SweepAction, ...errorResponses(...QUERY_ERRORS, 'SWEEP_NOT_FOUND') },
        },
      },
      async (request, reply) => {
        const runs = await sweepRuns(deps, request.params.id);
        const cancelled: string[] = [];
        for (const run of runs.filter((candidate) => !SETTLED.has(candidate.status))) {
          if ((await deps.store.runs.cancel(run.id)).changed) cancelled.push(run.id);
        }
        await announce(deps, cancelled, request.log);
        request.log.info({ sweepId: request.params.id, runs: cancelled.length }, 'sweep cancelled');
        return reply.status(202).send({ id: request.params.id, runIds: cancelled });
      },
    );

    app.post(
      '/sweeps/:id/retry',
      {
        schema: {
          summary: 'Run the failed and cancelled runs of a sweep again; the others stay',
          tags: ['sweeps'],
          params: IdParams,
          response: {
            202: SweepAction,
            // Re-planned under today's limits and data directories, which may have narrowed.
            ...errorResponses(
              ...QUERY_ERRORS,
              'SWEEP_NOT_FOUND',
              'SWEEP_STALE',
              'SPEC_LIMIT_EXCEEDED',
              'DATASET_NOT_ALLOWED',
            ),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const sweep = await deps.store.sweeps.get(id);
        if (!sweep) throw new ApiError('SWEEP_NOT_FOUND', `No sweep ${id}.`);

        // 1. Plan the sweep again from its definition: the same runs, unless the numerics
        //    changed since, in which case its ids name runs this server would not compute.
        const plan = planSweep(sweep.spec, NUMERICS_VERSION, deps.config.limits);
        if (plan.id !== id) {
          throw new ApiError(
            'SWEEP_STALE',
            `Sweep ${id} was planned by another version of the numerics; submit its ` +
              'definition again to compute it with this one.',
          );
        }

        // 2. Submitting the whole plan starts the failed and cancelled runs over, joins the
        //    ones still queued or running, and answers the finished ones from the store.
        const retried = sweep.runs
          .filter((entry) => RETRYABLE.has(entry.run.status))
          .map((entry) => entry.runId);
        await deps.submissions.submit(plan.runs, request.id);
        request.log.info({ sweepId: id, runs: retried.length }, 'sweep retried');
        return reply.status(202).send({ id, runIds: retried });
      },
    );
  };
}

async function sweepRuns(deps: ApiDeps, id: string): Promise<RunRecord[]> {
  const sweep = await deps.store.sweeps.get(id);
  if (!sweep) throw new ApiError('SWEEP_NOT_FOUND', `No sweep ${id}.`);
  return sweep.runs.map((entry) => entry.run);
}

/**
 * Tells the workers; a failure here loses nothing, since the record is already cancelled and
 * a worker finds that out at its next progress write.
 */
async function announce(
  deps: ApiDeps,
  runIds: readonly string[],
  log: FastifyBaseLogger,
): Promise<void> {
  if (runIds.length === 0) return;
  try {
    await deps.producer.announceCancelled(runIds);
  } catch (err) {
    log.warn({ err, runs: runIds.length }, 'cancellation not announced; workers will see it');
  }
}
