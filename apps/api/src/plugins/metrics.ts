/**
 * Prometheus metrics at /metrics: the queue's depth per state (read from Redis at each
 * scrape), run durations and diverged runs (from the queue's events), cache hits and misses
 * of submissions, and HTTP latency per route. One registry per app, so tests can build many.
 *
 * Run durations and diverged runs are counted by every API process that sees the queue's
 * events: with several API replicas, aggregate them with max(), not sum().
 */
import type { Queue } from 'bullmq';
import type { FastifyInstance } from 'fastify';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Store } from '@metaopt/store';
import { errorResponses } from '../error-docs.js';
import type { EventHub } from '../events/hub.js';
import type { QueueEventEntry } from '../events/run-event.js';
import { nonJsonResponse } from '../schemas.js';

const JOB_STATES = [
  'waiting',
  'waiting-children',
  'prioritized',
  'active',
  'delayed',
  'failed',
  'completed',
] as const;

/** Settled submissions: the run's result is answered from the store. */
const CACHED_STATUSES = new Set(['succeeded', 'diverged']);

export class ApiMetrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'metaopt_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status code.',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly runDuration = new Histogram({
    name: 'metaopt_run_duration_seconds',
    help: 'Wall time of computed runs, from the start of their last attempt to their end.',
    labelNames: ['kind', 'status'] as const,
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600],
    registers: [this.registry],
  });
  readonly divergedRuns = new Counter({
    name: 'metaopt_runs_diverged_total',
    help: 'Runs that ended diverged (a loss became NaN or infinite).',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly submittedRuns = new Counter({
    name: 'metaopt_submitted_runs_total',
    help: 'Runs asked for, by whether the store already had their result (hit) or not (miss).',
    labelNames: ['cache'] as const,
    registers: [this.registry],
  });

  constructor(queue: Queue) {
    collectDefaultMetrics({ register: this.registry, prefix: 'metaopt_api_' });
    new Gauge({
      name: 'metaopt_queue_jobs',
      help: 'Jobs in the runs queue by state.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) this.set({ state }, counts[state] ?? 0);
      },
    });
  }

  /** Counts one submission's runs as cache hits (settled already) or misses. */
  countSubmission(runs: readonly { readonly status: string }[]): void {
    const hits = runs.filter((run) => CACHED_STATUSES.has(run.status)).length;
    if (hits > 0) this.submittedRuns.inc({ cache: 'hit' }, hits);
    if (runs.length > hits) this.submittedRuns.inc({ cache: 'miss' }, runs.length - hits);
  }
}

export interface MetricsOptions {
  readonly metrics: ApiMetrics;
  readonly hub: EventHub;
  readonly store: Store;
}

export function registerMetrics(app: FastifyInstance, options: MetricsOptions): void {
  const { metrics, hub, store } = options;

  app.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      {
        method: request.method,
        // The pattern, not the URL: one series per route, not one per run id.
        route: request.routeOptions.url ?? 'unmatched',
        status_code: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
  });

  const unsubscribe = hub.subscribe((entry) => {
    if (entry.event === 'completed' || entry.event === 'failed') {
      observeFinished(entry, metrics, store).catch((err) =>
        app.log.warn({ err, runId: entry.jobId }, 'run metrics not recorded'),
      );
    }
  });
  app.addHook('onClose', async () => unsubscribe());

  app.get(
    '/metrics',
    {
      schema: {
        summary: 'Prometheus metrics',
        tags: ['operations'],
        response: {
          200: nonJsonResponse('text/plain', 'The Prometheus text exposition format.'),
          ...errorResponses(),
        },
      },
    },
    async (_request, reply) => {
      const text = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(text);
    },
  );
}

/** A run that ended: its duration from the record, and whether it diverged. */
async function observeFinished(
  entry: QueueEventEntry,
  metrics: ApiMetrics,
  store: Store,
): Promise<void> {
  // A cached answer computed nothing: it is neither a duration nor a divergence.
  const result = entry.fields.returnvalue as { status?: string } | undefined;
  if (!entry.jobId || result?.status === 'cached') return;
  const run = await store.runs.get(entry.jobId);
  if (!run) return;

  if (run.status === 'diverged') metrics.divergedRuns.inc({ kind: run.kind });
  if (run.startedAt && run.finishedAt) {
    const seconds = (run.finishedAt.getTime() - run.startedAt.getTime()) / 1000;
    metrics.runDuration.observe({ kind: run.kind, status: run.status }, seconds);
  }
}
