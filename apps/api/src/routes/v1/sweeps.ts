import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { SweepSpecSchema, planSweep } from '@metaopt/spec';
import { ApiError } from '../../errors.js';
import { bestOfSweep, presentRun, sweepStatus } from '../../present.js';
import { IdParams, SubmittedRun, SweepQuery } from '../../schemas.js';
import type { ApiDeps } from '../../app.js';
import { passThroughBody } from './validation.js';

export function sweepRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/sweeps',
      {
        schema: {
          summary: 'Submit a sweep: a base run, blocks and grids',
          body: SweepSpecSchema,
          response: {
            202: Type.Object({
              id: Type.String(),
              cached: Type.Boolean(),
              runs: Type.Array(SubmittedRun),
            }),
          },
        },
        validatorCompiler: passThroughBody,
      },
      async (request, reply) => {
        const plan = planSweep(request.body, NUMERICS_VERSION, deps.config.limits);
        const submission = await deps.submissions.submit(plan.runs, request.id);
        await deps.store.sweeps.ensure(
          { id: plan.id, name: plan.name, spec: request.body },
          plan.runs.map((run, position) => ({ runId: run.id, position, role: run.role })),
        );
        request.log.info(
          { sweepId: plan.id, runs: plan.runs.length, cached: submission.cached },
          'sweep submitted',
        );
        return reply.status(202).send({ id: plan.id, ...submission });
      },
    );

    app.get(
      '/sweeps/:id',
      {
        schema: {
          summary: 'A sweep, its runs and their summaries',
          params: IdParams,
          querystring: SweepQuery,
        },
      },
      async (request) => {
        const sweep = await deps.store.sweeps.get(request.params.id);
        if (!sweep) throw new ApiError('SWEEP_NOT_FOUND', `No sweep ${request.params.id}.`);
        const runs = sweep.runs.map((entry) => entry.run);
        const cells = sweep.runs.filter((entry) => entry.role === 'cell').map((entry) => entry.run);
        return {
          id: sweep.id,
          name: sweep.name,
          createdAt: sweep.createdAt.toISOString(),
          status: sweepStatus(runs),
          counts: countByStatus(runs),
          runs: sweep.runs.map((entry) => ({ role: entry.role, ...presentRun(entry.run) })),
          ...(request.query.best ? { best: bestOfSweep(cells) } : {}),
        };
      },
    );
  };
}

function countByStatus(runs: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of runs) counts[run.status] = (counts[run.status] ?? 0) + 1;
  return counts;
}
