import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { RunSpecSchema, planRun } from '@metaopt/spec';
import { QUERY_ERRORS, SPEC_BODY_ERRORS, errorResponses } from '../../error-docs.js';
import { ApiError } from '../../errors.js';
import { presentRun } from '../../present.js';
import {
  CurveQuery,
  CurvesView,
  IdParams,
  RunListQuery,
  RunPage,
  RunView,
  Submission,
} from '../../schemas.js';
import type { ApiDeps } from '../../app.js';
import { passThroughBody } from './validation.js';

export function runRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/runs',
      {
        schema: {
          summary: 'Submit one run (and the meta-training it needs)',
          description:
            'Answers at once with the run id; the run is computed by a worker, or answered ' +
            'from the store when it has run before (`cached`).',
          tags: ['runs'],
          body: { ...RunSpecSchema, examples: [EXAMPLE_RUN] },
          response: { 202: Submission, ...errorResponses(...SPEC_BODY_ERRORS) },
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
      {
        schema: {
          summary: 'List runs, newest first',
          tags: ['runs'],
          querystring: RunListQuery,
          response: { 200: RunPage, ...errorResponses(...QUERY_ERRORS) },
        },
      },
      async (request) => {
        const { kind, status, task, limit, cursor } = request.query;
        const page = await deps.store.runs.list({ kind, status, taskKind: task, limit, cursor });
        return { items: page.items.map(presentRun), nextCursor: page.nextCursor ?? null };
      },
    );

    app.get(
      '/runs/:id',
      {
        schema: {
          summary: 'One run record',
          tags: ['runs'],
          params: IdParams,
          response: { 200: RunView, ...errorResponses(...QUERY_ERRORS, 'RUN_NOT_FOUND') },
        },
      },
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
          tags: ['runs'],
          params: IdParams,
          querystring: CurveQuery,
          response: { 200: CurvesView, ...errorResponses(...QUERY_ERRORS, 'RUN_NOT_FOUND') },
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

/** Adam on the paper's quadratic, 100 steps over 100 test problems. */
const EXAMPLE_RUN = {
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'adam', lr: 0.1 },
  steps: 100,
  nTests: 100,
};
