/**
 * The OpenAPI document at /docs/json: generated from the route schemas, it must name every
 * route, its tags, its body with a valid example, its success response and every error code
 * it can answer, so that the document and errors.ts cannot drift apart.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NUMERICS_VERSION } from '@metaopt/l2l/version';
import { DEFAULT_LIMITS, planComparison, planRun, planSweep } from '@metaopt/spec';
import { API_ERRORS } from '../../apps/api/src/errors.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';

/** The API's routes, as the document should list them. */
const ROUTES = [
  'get /healthz',
  'get /readyz',
  'get /metrics',
  'post /v1/runs',
  'get /v1/runs',
  'get /v1/runs/{id}',
  'get /v1/runs/{id}/curves',
  'get /v1/runs/{id}/events',
  'post /v1/sweeps',
  'get /v1/sweeps',
  'get /v1/sweeps/{id}',
  'get /v1/sweeps/{id}/figure.svg',
  'get /v1/sweeps/{id}/events',
];

interface Operation {
  tags?: string[];
  summary?: string;
  requestBody?: {
    content: Record<string, { example?: unknown; examples?: Record<string, { value: unknown }> }>;
  };
  responses: Record<
    string,
    {
      description: string;
      content?: Record<
        string,
        {
          schema: { properties?: { code?: { enum?: string[] } } };
          example?: { code?: string };
          examples?: Record<string, { value: { code?: string } }>;
        }
      >;
    }
  >;
}

interface Document {
  openapi: string;
  info: { description: string };
  tags: { name: string }[];
  paths: Record<string, Record<string, Operation>>;
}

describe('the OpenAPI document', () => {
  let api: TestApi;
  let doc: Document;
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        route: `${method} ${path}`,
        operation,
      })),
    );

  beforeAll(async () => {
    api = await startTestApi(await testServices('openapi'));
    const response = await api.app.inject({ method: 'GET', url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    doc = response.json();
  });
  afterAll(() => api?.close());

  it('is OpenAPI 3 and lists every API route', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(operations().map((op) => op.route)).toEqual(expect.arrayContaining(ROUTES));
  });

  it('leaves out the pages for people: the dashboard and Bull Board', () => {
    const paths = Object.keys(doc.paths);
    expect(paths.filter((path) => /^\/(dashboard|admin)/.test(path))).toEqual([]);
  });

  it('gives every operation a summary and a tag the document declares', () => {
    const declared = new Set(doc.tags.map((tag) => tag.name));
    for (const { route, operation } of operations()) {
      expect(operation.summary, route).toBeTruthy();
      expect(operation.tags?.length, route).toBeGreaterThan(0);
      for (const tag of operation.tags ?? []) expect(declared.has(tag), route).toBe(true);
    }
  });

  it('gives every operation a success response and its error responses with examples', () => {
    for (const { route, operation } of operations()) {
      const statuses = Object.keys(operation.responses);
      expect(
        statuses.some((status) => status.startsWith('2')),
        route,
      ).toBe(true);
      expect(statuses, route).toContain('500');

      for (const status of statuses.filter((s) => Number(s) >= 400)) {
        const media = operation.responses[status]!.content?.['application/json'];
        const codes = media?.schema.properties?.code?.enum ?? [];
        expect(codes.length, `${route} ${status}`).toBeGreaterThan(0);
        // One example is written as `example`, several as `examples`.
        const exampleCodes = media?.example
          ? [media.example.code]
          : Object.values(media?.examples ?? {}).map((e) => e.value.code);
        expect(exampleCodes, `${route} ${status}`).toEqual(codes);
        for (const code of codes) {
          expect(API_ERRORS[code as keyof typeof API_ERRORS], code).toBe(Number(status));
        }
      }
    }
  });

  describe('when collecting error codes over all routes', () => {
    it('names every code in errors.ts (ROUTE_NOT_FOUND in the description)', () => {
      const named = new Set(
        operations().flatMap(({ operation }) =>
          Object.values(operation.responses).flatMap(
            (response) =>
              response.content?.['application/json']?.schema.properties?.code?.enum ?? [],
          ),
        ),
      );
      expect(doc.info.description).toContain('ROUTE_NOT_FOUND');
      named.add('ROUTE_NOT_FOUND');
      expect([...named].sort()).toEqual(Object.keys(API_ERRORS).sort());
    });
  });

  describe('when reading the request bodies', () => {
    it('has an example for each, and each example is a spec the API accepts', () => {
      // Every body that is a spec; a checkpoint's body is a state_dict of 1,000+ numbers.
      const PLANNERS: Record<string, (value: unknown) => unknown> = {
        'post /v1/runs': (value) => planRun(value, NUMERICS_VERSION, DEFAULT_LIMITS),
        'post /v1/sweeps': (value) => planSweep(value, NUMERICS_VERSION, DEFAULT_LIMITS),
        'post /v1/comparisons': (value) => planComparison(value, NUMERICS_VERSION, DEFAULT_LIMITS),
      };
      const bodies = operations().filter(({ operation }) => operation.requestBody);
      expect(bodies.map((op) => op.route).sort()).toEqual([
        'post /v1/checkpoints',
        'post /v1/comparisons',
        'post /v1/runs',
        'post /v1/sweeps',
      ]);
      for (const { route, operation } of bodies) {
        const planner = PLANNERS[route];
        if (!planner) continue;
        const media = operation.requestBody!.content['application/json'];
        const values = media?.example
          ? [media.example]
          : Object.values(media?.examples ?? {}).map((example) => example.value);
        expect(values.length, route).toBeGreaterThan(0);
        for (const value of values) expect(() => planner(value), route).not.toThrow();
      }
    });
  });

  describe('when a browser asks for /docs', () => {
    it('serves the Swagger UI page', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/docs/' });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/text\/html/);
      expect(response.body).toContain('swagger');
    });
  });
});
