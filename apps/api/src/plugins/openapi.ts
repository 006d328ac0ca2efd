/**
 * The OpenAPI document, generated from the same TypeBox schemas the routes validate with,
 * at /docs/json, with Swagger UI at /docs. Every route states its tags, its responses (errors
 * included, see error-docs.ts) and examples; tests/api/openapi.test.ts holds them to it.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance, FastifySchema, RouteOptions } from 'fastify';
import { errorResponses } from '../error-docs.js';
import type { ApiErrorCode } from '../errors.js';

export const TAGS = [
  { name: 'sweeps', description: 'Grids of runs, their best runs, tables and figures' },
  { name: 'runs', description: 'Single runs: records, curves' },
  { name: 'comparisons', description: "The paper's comparison as one request: tables, figures" },
  { name: 'checkpoints', description: 'Trained LSTM optimizers as PyTorch state_dicts' },
  { name: 'events', description: 'Live progress as server-sent events' },
  { name: 'health', description: 'Liveness and readiness probes' },
  { name: 'operations', description: 'Metrics for Prometheus' },
] as const;

/** Served by the same app but not part of the API: pages for people, not for clients. */
const UNDOCUMENTED_PREFIXES = ['/admin/queues', '/dashboard'];

export type Tag = (typeof TAGS)[number]['name'];

const DESCRIPTION = [
  'Meta-training learned optimizers (Andrychowicz et al., 2016) as jobs. Every run is',
  'addressed by the SHA-256 of its normalized spec, so submitting the same work twice',
  'answers from the store.',
  '',
  'Every error answers `{code, message, details?, requestId}` with a stable `code`; each',
  'route lists the codes it can answer. A path that matches no route answers 404',
  '`ROUTE_NOT_FOUND`.',
  '',
  'Also served, outside this document: the dashboard at `/dashboard`, Prometheus metrics',
  'at `/metrics`, and Bull Board at `/admin/queues` (read-write key).',
].join('\n');

const READING_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Adds what the API-key guard and the rate limiter can answer to every /v1 route they cover:
 * they are hooks, not route code, so no route schema states them. Which access a route needs
 * is decided as auth.ts decides it: `config.access`, else its method.
 */
function withGuardErrors(schema: FastifySchema, url: string, route: RouteOptions): FastifySchema {
  if (!url.startsWith('/v1/')) return schema;
  const methods = [route.method].flat();
  const access =
    route.config?.access ??
    (methods.every((method) => READING_METHODS.has(method)) ? 'read' : 'write');
  if (access === 'public') return schema;

  const codes: ApiErrorCode[] = ['AUTH_REQUIRED', 'AUTH_INVALID', 'RATE_LIMITED'];
  if (access === 'write') codes.push('AUTH_FORBIDDEN');
  return {
    ...schema,
    security: [{ apiKey: [] }, { apiKeyAsPassword: [] }],
    response: { ...errorResponses(...codes), ...(schema.response as object | undefined) },
  } as FastifySchema;
}

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: { title: 'metaopt', description: DESCRIPTION, version: '1' },
      tags: TAGS.map((tag) => ({ ...tag })),
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key: read-only, or read-write (needed for writes).',
          },
          apiKeyAsPassword: {
            type: 'http',
            scheme: 'basic',
            description: 'The same key as the password of Basic credentials (any user name).',
          },
        },
      },
    },
    transform: ({ schema, url, route }) => {
      if (UNDOCUMENTED_PREFIXES.some((prefix) => url.startsWith(prefix))) {
        return { schema: { ...schema, hide: true }, url };
      }
      return { schema: withGuardErrors(schema, url, route), url };
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
