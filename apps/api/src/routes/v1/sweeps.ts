import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { SweepSpecSchema, planSweep } from '@metaopt/spec';
import { QUERY_ERRORS, SPEC_BODY_ERRORS, errorResponses } from '../../error-docs.js';
import { ApiError } from '../../errors.js';
import { bestOfSweep, presentRun, sweepStatus } from '../../present.js';
import {
  IdParams,
  Submission,
  nonJsonResponse,
  SweepListQuery,
  SweepPage,
  SweepQuery,
  SweepView,
} from '../../schemas.js';
import { sweepFigureSvg } from '../../services/sweep-figure.js';
import type { ApiDeps } from '../../app.js';
import { passThroughBody } from './validation.js';

export function sweepRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/sweeps',
      {
        schema: {
          summary: 'Submit a sweep: a base run, blocks and grids',
          description:
            'Expands the grids into runs, records them and queues those not already ' +
            'computed. Answers at once with the sweep id.',
          tags: ['sweeps'],
          body: { ...SweepSpecSchema, examples: [EXAMPLE_SWEEP] },
          response: {
            202: Submission,
            ...errorResponses(...SPEC_BODY_ERRORS, 'SPEC_INVALID_GRID'),
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
      '/sweeps',
      {
        schema: {
          summary: 'List sweeps, newest first, with their status and counts',
          tags: ['sweeps'],
          querystring: SweepListQuery,
          response: { 200: SweepPage, ...errorResponses(...QUERY_ERRORS) },
        },
      },
      async (request) => {
        const page = await deps.store.sweeps.list(request.query);
        return {
          items: page.items.map((sweep) => ({
            id: sweep.id,
            name: sweep.name,
            createdAt: sweep.createdAt.toISOString(),
            status: sweepStatus(sweep.statuses.map((status) => ({ status }))),
            counts: countByStatus(sweep.statuses.map((status) => ({ status }))),
            runs: sweep.statuses.length,
          })),
          nextCursor: page.nextCursor ?? null,
        };
      },
    );

    app.get(
      '/sweeps/:id',
      {
        schema: {
          summary: 'A sweep, its runs and their summaries',
          tags: ['sweeps'],
          params: IdParams,
          querystring: SweepQuery,
          response: { 200: SweepView, ...errorResponses(...QUERY_ERRORS, 'SWEEP_NOT_FOUND') },
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

    app.get(
      '/sweeps/:id/figure.svg',
      {
        schema: {
          summary: "The sweep's loss-vs-step figure (SVG)",
          description:
            'Loss of the best run of each contender on a log scale: the mean over test ' +
            'problems and its 10–90% band, the learned optimizer solid and the others ' +
            'dashed, as in the paper. Drawn from the runs finished so far.',
          tags: ['sweeps'],
          params: IdParams,
          response: {
            200: nonJsonResponse('image/svg+xml', 'The figure as an SVG document.'),
            ...errorResponses(...QUERY_ERRORS, 'SWEEP_NOT_FOUND', 'FIGURE_NOT_READY'),
          },
        },
      },
      async (request, reply) => {
        const svg = await sweepFigureSvg(deps.store, request.params.id);
        return reply
          .type('image/svg+xml; charset=utf-8')
          .header('cache-control', 'no-cache')
          .send(svg);
      },
    );
  };
}

function countByStatus(runs: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of runs) counts[run.status] = (counts[run.status] ?? 0) + 1;
  return counts;
}

/** The four baselines over two learning rates each, and the LSTM optimizer, on quadratics. */
const EXAMPLE_SWEEP = {
  name: 'quadratic-small',
  base: { task: { kind: 'quadratic' }, steps: 100, nTests: 20, seed: 1 },
  blocks: [
    {
      with: { kind: 'baseline', optimizer: { name: 'adam', lr: 0.1 } },
      grid: { 'optimizer.name': ['adam', 'rmsprop', 'sgd', 'nag'], 'optimizer.lr': [0.1, 0.01] },
    },
    {
      with: {
        kind: 'evaluate',
        trained: { metaTrain: { epochs: 5, rolloutsPerEpoch: 20, steps: 100, unroll: 20 } },
      },
    },
  ],
};
