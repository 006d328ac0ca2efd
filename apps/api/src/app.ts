/**
 * Builds the Fastify app from its dependencies, so tests build one per test against real
 * services and close it after; main.ts wires the real ones.
 */
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Redis } from 'ioredis';
import type { RunProducer } from '@metaopt/queue';
import type { Store } from '@metaopt/store';
import type { ApiConfig } from './config.js';
import { EventHub } from './events/hub.js';
import { registerBullBoard } from './plugins/bull-board.js';
import { registerDashboard } from './plugins/dashboard.js';
import { answerFrameworkError, installErrorHandler } from './plugins/errors.js';
import { installStrictInput } from './plugins/strict-input.js';
import { ApiMetrics, registerMetrics } from './plugins/metrics.js';
import { registerOpenApi } from './plugins/openapi.js';
import { accessOf, installAuth } from './plugins/auth.js';
import { registerRateLimit } from './plugins/rate-limit.js';
import { healthRoutes } from './routes/health.js';
import { checkpointRoutes } from './routes/v1/checkpoints.js';
import { comparisonRoutes } from './routes/v1/comparisons.js';
import { controlRoutes } from './routes/v1/control.js';
import { eventRoutes } from './routes/v1/events.js';
import { runRoutes } from './routes/v1/runs.js';
import { sweepRoutes } from './routes/v1/sweeps.js';
import { SubmissionService } from './services/submissions.js';

export interface ApiDeps {
  readonly config: ApiConfig;
  readonly store: Store;
  readonly redis: Redis;
  readonly producer: RunProducer;
  readonly submissions: SubmissionService;
  /** Told of every submission's runs (sweeps and comparisons), for the cache hit counts. */
  readonly onRunsSubmitted: (runs: readonly { readonly status: string }[]) => void;
}

export interface BuildAppOptions {
  readonly config: ApiConfig;
  readonly store: Store;
  readonly redis: Redis;
  readonly producer: RunProducer;
  readonly logger?: boolean | object;
}

export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const metrics = new ApiMetrics(options.producer.queue);
  const onRunsSubmitted = (runs: readonly { readonly status: string }[]) =>
    metrics.countSubmission(runs);
  const deps: ApiDeps = {
    ...options,
    submissions: new SubmissionService(options.store, options.producer, onRunsSubmitted),
    onRunsSubmitted,
  };
  const app = Fastify({
    logger: options.logger ?? {
      level: options.config.logLevel,
      // Keys are secrets; a request's headers are not logged, and never with them.
      redact: ['req.headers.authorization', 'headers.authorization'],
    },
    bodyLimit: options.config.maxBodyBytes,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: 'x-request-id',
    frameworkErrors: answerFrameworkError,
    // The worker logs a run's lines with the same key, so one query finds both sides.
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Only JSON bodies mean anything here; a text body would reach the spec parser as a string.
  app.removeContentTypeParser('text/plain');
  installStrictInput(app);
  installErrorHandler(app);
  const hub = new EventHub({
    redisUrl: options.config.redisUrl,
    prefix: options.config.queuePrefix,
    redis: options.redis,
    log: app.log,
  });
  hub.start();
  // Open event streams never end by themselves: end them so the server can close.
  app.addHook('preClose', async () => hub.endStreams());
  app.addHook('onClose', async () => hub.close());
  await registerOpenApi(app);
  registerMetrics(app, { metrics, hub, store: options.store });
  await app.register(healthRoutes(deps));
  await registerDashboard(app);
  // Everything registered from here on is rate-limited and guarded by API keys; the probes
  // and the documentation above are not.
  await registerRateLimit(app, options.config.rateLimit);
  installAuth(app, options.config.auth);
  await app.register(runRoutes(deps), { prefix: '/v1' });
  await app.register(controlRoutes(deps), { prefix: '/v1' });
  await app.register(sweepRoutes(deps), { prefix: '/v1' });
  await app.register(comparisonRoutes(deps), { prefix: '/v1' });
  await app.register(checkpointRoutes(deps), { prefix: '/v1' });
  await app.register(eventRoutes(deps, hub), { prefix: '/v1' });
  await registerBullBoard(app, { queues: [options.producer.queue], access: accessOf });
  return app;
}
