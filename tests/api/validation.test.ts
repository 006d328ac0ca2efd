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
const onIdx = (idxDir: string) => ({
  ...baseline,
  task: { kind: 'mnist', dataset: { idxDir }, hidden: [1], batchSize: 8 },
});

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

  describe('when METAOPT_DATA_DIRS is unset', () => {
    it('answers 422 DATASET_NOT_ALLOWED for any idxDir, naming the setting', async () => {
      const response = await post('/v1/runs', onIdx('/etc'));
      expect(response.statusCode).toBe(422);
      expect(response.json().code).toBe('DATASET_NOT_ALLOWED');
      expect(response.json().message).toMatch(/METAOPT_DATA_DIRS/);
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

describe('API limits set by the operator', () => {
  let api: TestApi;
  const LIMITS = {
    maxLearnedHiddenSize: 8,
    maxRolloutsPerEpoch: 3,
    maxUnroll: 4,
    maxMetaBatch: 2,
    maxBatchSize: 16,
    maxProblemFloats: 101_000,
  };

  beforeAll(async () => {
    api = await startTestApi(await testServices('validation-limits'), {
      LIMIT_MAX_LEARNED_HIDDEN_SIZE: String(LIMITS.maxLearnedHiddenSize),
      LIMIT_MAX_ROLLOUTS_PER_EPOCH: String(LIMITS.maxRolloutsPerEpoch),
      LIMIT_MAX_UNROLL: String(LIMITS.maxUnroll),
      LIMIT_MAX_META_BATCH: String(LIMITS.maxMetaBatch),
      LIMIT_MAX_BATCH_SIZE: String(LIMITS.maxBatchSize),
      LIMIT_MAX_PROBLEM_FLOATS: String(LIMITS.maxProblemFloats),
      METAOPT_DATA_DIRS: '/srv/metaopt-data, /mnt/datasets',
    });
  });
  afterAll(async () => api?.close());

  const post = (payload: unknown) =>
    api.app.inject({ method: 'POST', url: '/v1/runs', payload: payload as object });

  // 60 steps: both 4 and 5 divide them, so only the limit can refuse an unroll of 5.
  const train = {
    kind: 'meta-train',
    task: { kind: 'quadratic', dim: 2 },
    steps: 60,
    unroll: 2,
    epochs: 1,
    rolloutsPerEpoch: 1,
    nTests: 1,
    learned: { hiddenSize: 2 },
  };
  const trainWith = (field: string) => (size: number) => ({ ...train, [field]: size });
  const lstmOf = (hiddenSize: number) => ({ ...train, learned: { hiddenSize } });
  const mnistOf = (batchSize: number) => ({
    ...baseline,
    task: { kind: 'mnist', hidden: [1], batchSize },
  });
  const quadratics = (nTests: number) => ({
    ...baseline,
    task: { kind: 'quadratic', dim: 100 },
    nTests,
  });

  // The last column is the largest size the limit lets through: for maxProblemFloats, 10
  // quadratics of dimension 100, which hold 10 × 100·101 = 101,000 floats.
  describe.each<[keyof typeof LIMITS, string, (size: number) => unknown, number]>([
    ['maxLearnedHiddenSize', '/learned/hiddenSize', lstmOf, 8],
    ['maxRolloutsPerEpoch', '/rolloutsPerEpoch', trainWith('rolloutsPerEpoch'), 3],
    ['maxUnroll', '/unroll', trainWith('unroll'), 4],
    ['maxMetaBatch', '/metaBatch', trainWith('metaBatch'), 2],
    ['maxBatchSize', '/task/batchSize', mnistOf, 16],
    ['maxProblemFloats', '/nTests', quadratics, 10],
  ])('when a run reaches %s', (name, path, specOf, largest) => {
    it('accepts the largest size it allows', async () => {
      expect((await post(specOf(largest))).statusCode).toBe(202);
    });

    it(`answers 422 SPEC_LIMIT_EXCEEDED one past it, naming the limit and ${path}`, async () => {
      const response = await post(specOf(largest + 1));
      expect(response.statusCode).toBe(422);
      expect(response.json()).toMatchObject({
        code: 'SPEC_LIMIT_EXCEEDED',
        details: { limit: { name, max: LIMITS[name] }, issues: [{ path }] },
      });
    });
  });

  describe('when an idxDir names a directory', () => {
    it('accepts one inside a directory of METAOPT_DATA_DIRS', async () => {
      expect((await post(onIdx('/mnt/datasets/fashion'))).statusCode).toBe(202);
    });

    it.each(['/srv/metaopt-data/../../etc', '/srv/metaopt-database', 'srv/metaopt-data'])(
      'answers 422 DATASET_NOT_ALLOWED for %s',
      async (idxDir) => {
        const response = await post(onIdx(idxDir));
        expect(response.statusCode).toBe(422);
        expect(response.json()).toMatchObject({
          code: 'DATASET_NOT_ALLOWED',
          details: { issues: [{ path: '/task/dataset/idxDir' }] },
        });
        expect(response.json().message).toMatch(/METAOPT_DATA_DIRS/);
      },
    );
  });
});
