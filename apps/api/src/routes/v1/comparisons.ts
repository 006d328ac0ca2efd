/**
 * `/v1/comparisons`: the paper's figure and table as one request (see @metaopt/spec's
 * comparison.ts). A comparison is also a sweep under the same id, so `/v1/sweeps/:id` and its
 * event stream show its runs too.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { ComparisonProducer } from '@metaopt/queue';
import { panelMarkdown, type ComparisonResult } from '@metaopt/report';
import { ComparisonSpecSchema, planComparison } from '@metaopt/spec';
import { QUERY_ERRORS, SPEC_BODY_ERRORS, errorResponses } from '../../error-docs.js';
import { ApiError } from '../../errors.js';
import { sweepStatus } from '../../present.js';
import { ContentId, IdParams, SubmittedRun, nonJsonResponse } from '../../schemas.js';
import { ComparisonService } from '../../services/comparisons.js';
import type { ApiDeps } from '../../app.js';
import { passThroughBody } from './validation.js';

const ComparisonSubmission = Type.Object({
  id: ContentId,
  cached: Type.Boolean(),
  queued: Type.Integer({ description: 'Runs queued as jobs of this comparison.' }),
  joined: Type.Integer({ description: 'Runs already queued by another submission.' }),
  runs: Type.Array(SubmittedRun),
});

const ComparisonView = Type.Object({
  id: ContentId,
  name: Type.Union([Type.String(), Type.Null()]),
  status: Type.String({ description: "'running' until the report is written, then 'succeeded'." }),
  runs: Type.Object({
    status: Type.String({ description: 'The status of its runs taken together, as a sweep.' }),
    counts: Type.Record(Type.String(), Type.Integer()),
  }),
  createdAt: Type.String(),
  finishedAt: Type.Union([Type.String(), Type.Null()]),
  result: Type.Union([Type.Unknown(), Type.Null()], {
    description: 'Per panel: each contender’s best row and every cell (see docs/results.md).',
  }),
  tables: Type.Array(Type.String(), { description: 'Per panel, the table in Markdown.' }),
  figures: Type.Array(Type.String(), { description: 'Per panel, the URL of its SVG figure.' }),
  error: Type.Union([Type.Unknown(), Type.Null()]),
});

const FigureParams = Type.Object({ id: ContentId, panel: Type.Integer({ minimum: 0 }) });

export function comparisonRoutes(deps: ApiDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const producer = new ComparisonProducer({
      connection: deps.redis,
      prefix: deps.config.queuePrefix,
    });
    app.addHook('onClose', async () => producer.close());
    const service = new ComparisonService(
      deps.store,
      producer,
      deps.producer,
      deps.onRunsSubmitted,
    );

    app.post(
      '/comparisons',
      {
        schema: {
          summary: 'Submit a comparison: baselines over a learning-rate grid and the LSTM',
          description:
            'Plans the learning-rate sweep of every classic optimizer, the meta-training of ' +
            'the LSTM optimizer (or a stored checkpoint) and their evaluations on the same ' +
            'test problems of each panel, queues it as one BullMQ flow and answers at once. ' +
            'When every run has ended, a worker writes each panel’s table and figure.',
          tags: ['comparisons'],
          body: { ...ComparisonSpecSchema, examples: [EXAMPLE_COMPARISON] },
          response: { 202: ComparisonSubmission, ...errorResponses(...SPEC_BODY_ERRORS) },
        },
        validatorCompiler: passThroughBody,
      },
      async (request, reply) => {
        const plan = planComparison(request.body, NUMERICS_VERSION, deps.config.limits);
        const submission = await service.submit(plan, request.body as object, request.id);
        request.log.info(
          {
            comparisonId: plan.id,
            runs: plan.runs.length,
            queued: submission.queued,
            joined: submission.joined,
            cached: submission.cached,
          },
          'comparison submitted',
        );
        return reply.status(202).send(submission);
      },
    );

    app.get(
      '/comparisons/:id',
      {
        schema: {
          summary: 'A comparison: its status and, once written, its tables and figures',
          tags: ['comparisons'],
          params: IdParams,
          response: {
            200: ComparisonView,
            ...errorResponses(...QUERY_ERRORS, 'COMPARISON_NOT_FOUND'),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        const [comparison, sweep] = await Promise.all([
          deps.store.comparisons.get(id),
          deps.store.sweeps.get(id),
        ]);
        if (!comparison || !sweep) throw notFound(id);
        const runs = sweep.runs.map((entry) => entry.run);
        const result = comparison.result as ComparisonResult | null;
        return {
          id,
          name: sweep.name,
          status: comparison.status,
          runs: { status: sweepStatus(runs), counts: countByStatus(runs) },
          createdAt: comparison.createdAt.toISOString(),
          finishedAt: comparison.finishedAt?.toISOString() ?? null,
          result,
          tables: result?.panels.map(panelMarkdown) ?? [],
          figures: (comparison.figures ?? []).map((_, i) => `/v1/comparisons/${id}/figures/${i}`),
          error: comparison.error,
        };
      },
    );

    app.get(
      '/comparisons/:id/figures/:panel',
      {
        schema: {
          summary: "A comparison panel's loss-vs-step figure (SVG)",
          description:
            'Loss against step on a log scale, per contender its best learning rate: the ' +
            'mean over the test problems and its 10–90% band, the LSTM solid and the ' +
            'classic optimizers dashed. Panels count from 0, in the order submitted.',
          tags: ['comparisons'],
          params: FigureParams,
          response: {
            200: nonJsonResponse('image/svg+xml', 'The figure as an SVG document.'),
            ...errorResponses(...QUERY_ERRORS, 'COMPARISON_NOT_FOUND', 'FIGURE_NOT_READY'),
          },
        },
      },
      async (request, reply) => {
        const { id, panel } = request.params;
        const comparison = await deps.store.comparisons.get(id);
        if (!comparison) throw notFound(id);
        const svg = comparison.figures?.[panel];
        if (svg === undefined) {
          throw new ApiError(
            'FIGURE_NOT_READY',
            comparison.figures
              ? `Comparison ${id} has ${comparison.figures.length} panels, not ${panel + 1}.`
              : `Comparison ${id} is ${comparison.status}: its figures are not written yet.`,
          );
        }
        return reply.type('image/svg+xml; charset=utf-8').send(svg);
      },
    );
  };
}

function notFound(id: string): ApiError {
  return new ApiError('COMPARISON_NOT_FOUND', `No comparison ${id}.`);
}

function countByStatus(runs: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const run of runs) counts[run.status] = (counts[run.status] ?? 0) + 1;
  return counts;
}

/** The quadratic figure of the paper, with a short meta-training. */
const EXAMPLE_COMPARISON = {
  name: 'quadratic',
  task: { kind: 'quadratic', dim: 10 },
  steps: 100,
  nTests: 100,
  seed: 1,
  learned: { metaTrain: { epochs: 20, metaLr: 0.003, nTests: 100, seed: 0 } },
};
