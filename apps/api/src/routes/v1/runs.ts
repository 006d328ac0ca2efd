import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { RunSpecSchema, planRun } from '@metaopt/spec';
import { ApiError } from '../../errors.js';
import { presentRun } from '../../present.js';
import { CurveQuery, IdParams, RunListQuery, SubmittedRun } from '../../schemas.js';
import type { ApiDeps } from '../../app.js';
import { passThroughBody } from './validation.js';

export function runRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/runs',
      {
        schema: {
          summary: 'Submit one run (and the meta-training it needs)',
          body: RunSpecSchema,
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
        const planned = planRun(request.body, NUMERICS_VERSION, deps.config.limits);
        const submission = await deps.submissions.submit(planned, request.id);
        const id = planned[planned.length - 1]?.id ?? '';
        request.log.info({ runId: id, cached: submission.cached }, 'run submitted');
        return reply.status(202).send({ id, ...submission });
      },
    );

    app.get(
      '/runs',
      { schema: { summary: 'List runs', querystring: RunListQuery } },
      async (request) => {
        const { kind, status, task, limit, cursor } = request.query;
        const page = await deps.store.runs.list({ kind, status, taskKind: task, limit, cursor });
        return { items: page.items.map(presentRun), nextCursor: page.nextCursor ?? null };
      },
    );

    app.get(
      '/runs/:id',
      { schema: { summary: 'One run record', params: IdParams } },
      async (request) => {
        const run = await deps.store.runs.get(request.params.id);
        if (!run) throw new ApiError('RUN_NOT_FOUND', `No run ${request.params.id}.`);
        return presentRun(run);
      },
    );

    app.get(
      '/runs/:id/curves',
      {
        schema: {
          summary: "A run's curves: mean and spread per step",
          params: IdParams,
          querystring: CurveQuery,
        },
      },
      async (request) => {
        const run = await deps.store.runs.get(request.params.id);
        if (!run) throw new ApiError('RUN_NOT_FOUND', `No run ${request.params.id}.`);
        const curves = await deps.store.curves.get(run.id, request.query);
        return { runId: run.id, status: run.status, curves };
      },
    );
  };
}
