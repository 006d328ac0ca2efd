/**
 * Live progress as server-sent events: a run's, or every run of a sweep's. Event types are
 * those of events/run-event.ts; each event's id is its position in the queue's events
 * stream, so a client that reconnects with Last-Event-ID gets what it missed (see
 * events/stream.ts).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import type { RunRecord } from '@metaopt/store';
import type { ApiDeps } from '../../app.js';
import { QUERY_ERRORS, errorResponses } from '../../error-docs.js';
import { ApiError } from '../../errors.js';
import type { EventHub } from '../../events/hub.js';
import { RUN_EVENT_TYPES } from '../../events/run-event.js';
import { streamRunEvents } from '../../events/stream.js';
import { IdParams, nonJsonResponse } from '../../schemas.js';

const EVENT_STREAM_DOC =
  'Server-sent events. Types: ' +
  `${RUN_EVENT_TYPES.join(', ')}, each with JSON data carrying \`runId\` ` +
  '(`progress`: fraction, epoch, step, loss; `checkpoint`: epoch, score, best; ' +
  '`failed`: reason), and a last `end` once every run has settled. A client without ' +
  'Last-Event-ID first gets where each run stands now.';

const LAST_EVENT_ID = Type.Object({
  'last-event-id': Type.Optional(
    Type.String({ description: 'The id of the last event received, to resume after it.' }),
  ),
});

export function eventRoutes(deps: ApiDeps, hub: EventHub): FastifyPluginAsyncTypebox {
  const stream = { hub, store: deps.store, ...deps.config.events };

  return async (app) => {
    app.get(
      '/runs/:id/events',
      {
        schema: {
          summary: "A run's live progress (server-sent events)",
          tags: ['events'],
          params: IdParams,
          headers: LAST_EVENT_ID,
          response: {
            200: nonJsonResponse('text/event-stream', EVENT_STREAM_DOC),
            ...errorResponses(...QUERY_ERRORS, 'RUN_NOT_FOUND'),
          },
        },
      },
      async (request, reply) => {
        const run = await deps.store.runs.get(request.params.id);
        if (!run) throw new ApiError('RUN_NOT_FOUND', `No run ${request.params.id}.`);
        await streamRunEvents(request, reply, { ...stream, runs: [run] });
      },
    );

    app.get(
      '/sweeps/:id/events',
      {
        schema: {
          summary: 'Live progress of every run of a sweep (server-sent events)',
          tags: ['events'],
          params: IdParams,
          headers: LAST_EVENT_ID,
          response: {
            200: nonJsonResponse('text/event-stream', EVENT_STREAM_DOC),
            ...errorResponses(...QUERY_ERRORS, 'SWEEP_NOT_FOUND'),
          },
        },
      },
      async (request, reply) => {
        const sweep = await deps.store.sweeps.get(request.params.id);
        if (!sweep) throw new ApiError('SWEEP_NOT_FOUND', `No sweep ${request.params.id}.`);
        const runs: RunRecord[] = sweep.runs.map((entry) => entry.run);
        await streamRunEvents(request, reply, { ...stream, runs });
      },
    );
  };
}
