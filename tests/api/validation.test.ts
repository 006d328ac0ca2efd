import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';

const baseline = {
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'sgd', lr: 0.01 },
  steps: 10,
  nTests: 2,
};

describe('API input handling', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(await testServices('validation'), { LIMIT_MAX_GRID_CELLS: '50' });
  });
  afterAll(async () => api?.close());

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    api.app.inject({
      method: 'POST',
      url,
      payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { 'content-type': 'application/json', ...headers },
    });

  describe('when a run body is malformed', () => {
    it.each([
      [
        'a negative learning rate',
        { ...baseline, optimizer: { name: 'sgd', lr: -1 } },
        '/optimizer/lr',
      ],
      [
        'an unknown optimizer',
        { ...baseline, optimizer: { name: 'lion', lr: 1 } },
        '/optimizer/name',
      ],
      ['a string for steps', { ...baseline, steps: '10' }, '/steps'],
      ['zero tests', { ...baseline, nTests: 0 }, '/nTests'],
      ['an unknown field', { ...baseline, extra: 1 }, ''],
    ])('answers 400 SPEC_INVALID for %s, naming the field', async (_what, body, path) => {
      const response = await post('/v1/runs', body);
      expect(response.statusCode).toBe(400);
      const error = response.json();
      expect(error.code).toBe('SPEC_INVALID');
      expect(error.message).toMatch(/\w+/);
      expect(error.details.issues[0].path.startsWith(path)).toBe(true);
    });

    it('answers 400 SPEC_UNKNOWN_KIND for an unknown kind', async () => {
      const response = await post('/v1/runs', { ...baseline, kind: 'train-everything' });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('SPEC_UNKNOWN_KIND');
    });

    it('answers 400 BODY_NOT_JSON for a body that is not JSON', async () => {
      const response = await post('/v1/runs', '{"kind": ');
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('BODY_NOT_JSON');
    });

    it('answers 415 for a body that is not JSON at all', async () => {
      const response = await post('/v1/runs', 'kind=baseline', { 'content-type': 'text/plain' });
      expect(response.statusCode).toBe(415);
      expect(response.json().code).toBe('UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('when a sweep crosses a limit', () => {
    it('answers 422 naming the limit, and records nothing', async () => {
      const lrs = Array.from({ length: 51 }, (_, i) => 1 / (i + 1));
      const response = await post('/v1/sweeps', {
        base: baseline,
        grid: { 'optimizer.lr': lrs },
      });
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        code: 'SPEC_LIMIT_EXCEEDED',
        details: { limit: { name: 'maxGridCells', max: 50 } },
      });
      const listed = await api.app.inject({ method: 'GET', url: '/v1/runs?limit=500' });
      expect(listed.json().items).toHaveLength(0);
    });

    it('answers 413 for a body over the size limit', async () => {
      const response = await post('/v1/sweeps', { name: 'x'.repeat(2_000_000) });
      expect(response.statusCode).toBe(413);
      expect(response.json().code).toBe('BODY_TOO_LARGE');
    });
  });

  describe('when an id is unknown or not a hash', () => {
    it('answers 404 RUN_NOT_FOUND for a well-formed unknown id', async () => {
      const response = await api.app.inject({ method: 'GET', url: `/v1/runs/${'a'.repeat(64)}` });
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('RUN_NOT_FOUND');
    });

    it('answers 404 SWEEP_NOT_FOUND for an unknown sweep', async () => {
      const response = await api.app.inject({ method: 'GET', url: `/v1/sweeps/${'b'.repeat(64)}` });
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('SWEEP_NOT_FOUND');
    });

    it('answers 400 REQUEST_INVALID for an id that is not a hash', async () => {
      const response = await api.app.inject({ method: 'GET', url: "/v1/runs/1'%20OR%201=1" });
      expect(response.statusCode).toBe(400);
      expect(response.json().code).toBe('REQUEST_INVALID');
    });

    it('answers 404 ROUTE_NOT_FOUND for an unknown route', async () => {
      const response = await api.app.inject({ method: 'GET', url: '/v2/everything' });
      expect(response.statusCode).toBe(404);
      expect(response.json().code).toBe('ROUTE_NOT_FOUND');
    });
  });

  describe('when PostgreSQL and Redis answer', () => {
    it('is live and ready', async () => {
      expect((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const ready = await api.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json().checks).toEqual({ postgres: 'ok', redis: 'ok' });
    });
  });
});
