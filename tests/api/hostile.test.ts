/**
 * Hostile and malformed input against every route of the real app, generated with
 * fast-check: wrong types, missing fields, huge, negative and zero sizes, NaN and Infinity as
 * strings, unknown tasks and optimizers, grids of 10⁶ cells, deeply nested JSON, 10 MB
 * bodies, invalid UTF-8, ids that are not hashes, and SQL and path characters in strings.
 * Every answer must be a 4xx whose `code` is in the registry under that status, with a
 * sentence saying what is wrong; the service must still be healthy afterwards.
 *
 * The routes come from the OpenAPI document, so a route added later is covered by the
 * parameter and generic-body properties without editing this file.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ERRORS } from '../../apps/api/src/errors.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';

interface Parameter {
  readonly in: 'path' | 'query' | 'header';
  readonly name: string;
  readonly schema: {
    type?: string;
    enum?: string[];
    pattern?: string;
    minimum?: number;
    maximum?: number;
  };
}
interface Operation {
  readonly method: 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
  readonly path: string;
  readonly parameters: readonly Parameter[];
  readonly hasBody: boolean;
}

/** Strings an attacker tries in every field. */
const NASTY = [
  "'; DROP TABLE runs; --",
  "1' OR '1'='1",
  '../../../../etc/passwd',
  '..\\..\\windows\\system32',
  '%00',
  '\u0000',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{7*7}}',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '💥'.repeat(50),
];
const nastyString = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant('x'.repeat(10_000)),
);
/** Anything that is not a number at all. */
const notANumber = fc.oneof(
  fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '10', ''),
  fc.constantFrom(null, true, [], {}, [1], { value: 1 }),
  nastyString,
);
/** Not a size (an integer ≥ 1 within the limits): zero, negative, fractional, huge. */
const badSize = fc.oneof(
  fc.constantFrom(0, -1, -1e308, 0.5, 1.5, 1e9, 1e308, 2 ** 53 + 2),
  notANumber,
);
/** Not a learning rate (a number > 0). */
const badRate = fc.oneof(fc.constantFrom(0, -1, -1e-9, -1e308), notANumber);
const badSeed = fc.oneof(fc.constantFrom(-1, 2 ** 31, 0.5, 1e308), notANumber);
/**
 * Nested past the depth any spec needs, wherever it is put. Built only when serialized, so
 * that fast-check, which prints what it generates, never walks thousands of levels.
 */
class Deep {
  constructor(readonly depth: number) {}
  toJSON(): string {
    return `__deep:${this.depth}__`;
  }
}
const tooDeep = fc.integer({ min: 65, max: 100_000 }).map((depth) => new Deep(depth));

/** JSON text of `value`, each Deep spliced in as `[[[…]]]` (too deep for JSON.stringify). */
function serialize(value: unknown): string {
  return JSON.stringify(value).replace(
    /"__deep:(\d+)__"/g,
    (_, depth: string) => '['.repeat(Number(depth)) + ']'.repeat(Number(depth)),
  );
}
/** Anything that is not a valid object where one is expected. */
const badObject = fc.oneof(
  fc.constantFrom(null, 1, 'quadratic', true, [], [{}]),
  fc.constantFrom({}, { kind: 'rosenbrock' }, { kind: 'mnist', dataset: 'cifar' }),
  nastyString,
);
/** A name that is none of the valid ones. */
const unknownName = (...valid: string[]) =>
  fc.oneof(nastyString, notANumber).filter((value) => !valid.includes(value as string));

const baseline = {
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'adam', lr: 0.1 },
  steps: 10,
  nTests: 2,
  seed: 1,
};
// unroll must divide steps: with the default unroll of 20 every mutation of this fixture
// was refused for that alone, and the meta-training properties tested nothing.
const metaTrain = {
  kind: 'meta-train',
  task: { kind: 'quadratic' },
  epochs: 2,
  steps: 10,
  unroll: 5,
  nTests: 2,
};
/** Not a learned optimizer. `{}` is one: each of its fields has a default. */
const badLearned = fc.oneof(
  badObject.filter((value) => JSON.stringify(value) !== '{}'),
  tooDeep,
);
/** The valid documents the properties below mutate; each must be accepted as it is. */
const BASE_FIXTURES: readonly { url: string; body: object }[] = [
  { url: '/v1/runs', body: baseline },
  { url: '/v1/runs', body: metaTrain },
  { url: '/v1/sweeps', body: { base: baseline } },
];

/** A field of a run spec, and values it can never take. */
const RUN_FIELDS: readonly [string, fc.Arbitrary<unknown>][] = [
  ['kind', unknownName('baseline', 'meta-train', 'evaluate')],
  ['task', fc.oneof(badObject, tooDeep)],
  ['task.kind', unknownName('quadratic', 'mnist')],
  ['task.dim', badSize],
  ['task.W', fc.oneof(badObject, fc.constant([[1, 2], [3]]), fc.constant([['a']]), tooDeep)],
  ['optimizer', fc.oneof(badObject, tooDeep)],
  ['optimizer.name', unknownName('adam', 'rmsprop', 'sgd', 'nag')],
  ['optimizer.lr', badRate],
  ['steps', badSize],
  ['nTests', badSize],
  ['seed', badSeed],
  ['epochs', badSize],
  ['learned', badLearned],
  ['learned.hiddenSize', badSize],
  ['rolloutsPerEpoch', badSize],
  ['unroll', badSize],
  ['metaBatch', badSize],
  ['unknownField', fc.oneof(nastyString, notANumber, tooDeep)],
  [NASTY[0]!, fc.constant(1)],
];

describe('hostile input', () => {
  let api: TestApi;
  let operations: Operation[];
  let answered = 0;

  beforeAll(async () => {
    // No rate limit here: every request must meet the route's own checks.
    api = await startTestApi(await testServices('hostile'), {
      API_RATE_LIMIT_MAX: '0',
      LIMIT_MAX_GRID_CELLS: '1000',
    });
    const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
    operations = Object.entries<Record<string, { parameters?: Parameter[]; requestBody?: object }>>(
      doc.paths,
    ).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase() as Operation['method'],
        path,
        parameters: operation.parameters ?? [],
        hasBody: operation.requestBody !== undefined,
      })),
    );
  });
  afterAll(() => api?.close());

  /** Sends one request and checks the answer is a well-formed 4xx. */
  async function refused(request: {
    method: Operation['method'];
    url: string;
    payload?: string | Buffer;
    headers?: Record<string, string>;
  }): Promise<{ status: number; code: string }> {
    const response = await api.app.inject({
      ...request,
      headers: { 'content-type': 'application/json', ...request.headers },
    });
    answered++;
    const where =
      `${request.method} ${request.url.slice(0, 200)} → ` +
      `${response.statusCode} ${response.body.slice(0, 300)}`;
    expect(response.statusCode, where).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, where).toBeLessThan(500);
    const body = response.json();
    expect(Object.keys(API_ERRORS), where).toContain(body.code);
    expect(API_ERRORS[body.code as keyof typeof API_ERRORS], where).toBe(response.statusCode);
    expect(typeof body.message, where).toBe('string');
    expect(body.message.length, where).toBeGreaterThan(10);
    return { status: response.statusCode, code: body.code };
  }

  /** Runs the accepted base fixtures recorded; nothing hostile may add to them. */
  const acceptedRunIds = new Set<string>();

  it('accepts every base fixture it mutates, unmutated', async () => {
    for (const { url, body } of BASE_FIXTURES) {
      const response = await api.app.inject({ method: 'POST', url, payload: body });
      const where = `${url} ${JSON.stringify(body)} → ${response.statusCode} ${response.body}`;
      expect(response.statusCode, where).toBe(202);
      for (const run of response.json().runs as { id: string }[]) acceptedRunIds.add(run.id);
    }
  });

  const withId = (operation: Operation, id: string) =>
    operation.path.replace('{id}', encodeURIComponent(id));
  const validId = 'ab'.repeat(32);

  it('refuses ids that are not hashes on every route that takes one', async () => {
    const badId = fc.oneof(
      nastyString.filter((s) => s.length > 0),
      fc.stringMatching(/^[0-9a-f]{1,63}$/),
      fc.stringMatching(/^[0-9a-f]{65,80}$/),
      fc.stringMatching(/^[0-9A-F]{64}$/).filter((s) => /[A-F]/.test(s)),
      fc.constantFrom('0x' + 'a'.repeat(62), 'g'.repeat(64), ' '.repeat(64)),
    );
    const withIds = operations.filter((op) => op.path.includes('{id}'));
    expect(withIds.length).toBeGreaterThanOrEqual(8);
    for (const operation of withIds) {
      await fc.assert(
        fc.asyncProperty(badId, async (id) => {
          const { status } = await refused({
            method: operation.method,
            url: withId(operation, id),
          });
          expect([400, 404]).toContain(status);
        }),
        { numRuns: 25 },
      );
    }
  });

  it('refuses query parameters out of their schema on every route', async () => {
    const queried = operations.flatMap((operation) =>
      operation.parameters
        .filter((parameter) => parameter.in === 'query')
        .map((parameter) => ({ operation, parameter })),
    );
    for (const { operation, parameter } of queried) {
      const bad = badQueryValue(parameter.schema);
      if (!bad) continue;
      await fc.assert(
        fc.asyncProperty(bad, async (value) => {
          const url =
            `${withId(operation, validId)}?` + new URLSearchParams({ [parameter.name]: value });
          // The SSE routes would hold a valid request open; their queries are not generated.
          await refused({ method: operation.method, url });
        }),
        { numRuns: 20 },
      );
    }
  });

  it('refuses run bodies with a wrong, missing or out-of-range field', async () => {
    const mutation = fc.oneof(
      fc
        .tuple(fc.constantFrom(...RUN_FIELDS.keys()), fc.nat())
        .chain(([field]) =>
          RUN_FIELDS[field]![1].map((value) => ({ path: RUN_FIELDS[field]![0], value })),
        ),
      fc.constantFrom('kind', 'task', 'optimizer').map((path) => ({ path, value: undefined })),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(baseline, metaTrain), mutation, async (spec, change) => {
        if (change.path.startsWith('optimizer') && spec.kind !== 'baseline') return;
        const body = setPath(structuredClone(spec), change.path, change.value);
        await refused({ method: 'POST', url: '/v1/runs', payload: serialize(body) });
      }),
      { numRuns: 120 },
    );
  });

  it('refuses sweeps with bad grids, blocks and names', async () => {
    const badSweep = fc.oneof(
      // 100 × 100 × 100 = 10⁶ cells, far over the limit: refused before any is expanded.
      fc.constant({
        base: baseline,
        grid: Object.fromEntries(
          ['optimizer.lr', 'seed', 'steps'].map((key) => [
            key,
            Array.from({ length: 100 }, (_, i) => i + 1),
          ]),
        ),
      }),
      nastyString.map((key) => ({ base: baseline, grid: { [`${key}`]: [1] } })),
      fc.constant({ base: baseline, grid: { 'optimizer.lr': [] } }),
      fc.constant({ base: baseline, grid: { 'optimizer.lr': 0.1 } }),
      badRate.map((lr) => ({ base: baseline, grid: { 'optimizer.lr': [0.1, lr] } })),
      badSize.map((steps) => ({ base: baseline, blocks: [{ grid: { steps: [10, steps] } }] })),
      tooDeep.map((value) => ({ base: { ...baseline, task: value } })),
      tooDeep.map((value) => ({ base: baseline, blocks: [{ with: { task: value } }] })),
      badObject
        .filter((blocks) => !(Array.isArray(blocks) && blocks.length > 0))
        .map((blocks) => ({ base: baseline, blocks })),
      fc.constant({ base: baseline, blocks: [] }),
      fc
        .oneof(
          notANumber.filter((name) => typeof name !== 'string'),
          fc.constant('x'.repeat(201)),
        )
        .map((name) => ({ name, base: baseline })),
      fc.constant({ base: { ...baseline, kind: 'evaluate' } }),
      fc.constant({}),
    );
    await fc.assert(
      fc.asyncProperty(badSweep, async (sweep) => {
        await refused({ method: 'POST', url: '/v1/sweeps', payload: serialize(sweep) });
      }),
      { numRuns: 60 },
    );
  });

  it('refuses bodies that are not a spec at all, on every route that takes one', async () => {
    const bodyRoutes = operations.filter((op) => op.hasBody);
    expect(bodyRoutes.length).toBeGreaterThanOrEqual(2);
    const garbage = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc.integer({ min: 10, max: 100_000 }).map((depth) => nested(depth)),
      fc.constantFrom('', '{', '{"kind":', 'null', '[]', '"baseline"', 'NaN', '{"a":1}{"b":2}'),
      fc.constantFrom(
        '{"__proto__": {"admin": true}, "kind": "baseline"}',
        '{"constructor": {"prototype": {"x": 1}}}',
      ),
    );
    for (const operation of bodyRoutes) {
      await fc.assert(
        fc.asyncProperty(garbage, async (payload) => {
          await refused({ method: operation.method, url: operation.path, payload });
        }),
        { numRuns: 30 },
      );
    }
  });

  it('refuses bodies nested past the depth limit, naming it', async () => {
    const response = await api.app.inject({
      method: 'POST',
      url: '/v1/sweeps',
      payload: nested(100_000),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'REQUEST_INVALID',
      details: { limit: { name: 'maxJsonDepth', max: 64 } },
    });
  });

  it('refuses 10 MB bodies, invalid UTF-8 and other media types', async () => {
    const huge = JSON.stringify({ ...baseline, name: 'x'.repeat(10 * 1024 * 1024) });
    expect(await refused({ method: 'POST', url: '/v1/runs', payload: huge })).toMatchObject({
      status: 413,
      code: 'BODY_TOO_LARGE',
    });
    const text = JSON.stringify({ ...baseline, optimizer: { name: 'adam', lr: 0.1 } });
    const invalidUtf8 = Buffer.concat([
      Buffer.from(text.slice(0, 20)),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from(text.slice(20)),
    ]);
    for (const url of ['/v1/runs', '/v1/sweeps']) {
      await refused({ method: 'POST', url, payload: invalidUtf8 });
      const named = Buffer.concat([
        Buffer.from('{"name":"'),
        Buffer.from([0xed, 0xa0, 0x80, 0xff]),
        Buffer.from(`","base":${JSON.stringify(baseline)}}`),
      ]);
      expect(await refused({ method: 'POST', url: '/v1/sweeps', payload: named })).toMatchObject({
        code: 'BODY_NOT_JSON',
      });
      const form = await refused({
        method: 'POST',
        url,
        payload: 'kind=baseline',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(form.status).toBe(415);
    }
  });

  it('has answered at least 200 of them, and is still healthy and working', async () => {
    expect(answered).toBeGreaterThanOrEqual(200);
    expect((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await api.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    const ok = await api.app.inject({ method: 'POST', url: '/v1/runs', payload: baseline });
    expect(ok.statusCode).toBe(202);
    // Nothing hostile was recorded: the runs are those of the valid fixtures alone.
    expect(acceptedRunIds).toContain(ok.json().id);
    const listed = (await api.app.inject({ method: 'GET', url: '/v1/runs?limit=500' })).json();
    const recorded = listed.items.map((run: { id: string }) => run.id);
    expect(new Set(recorded)).toEqual(acceptedRunIds);
    expect(recorded).toHaveLength(acceptedRunIds.size);
  });
});

/** Values a query parameter's schema refuses, or null when it refuses none we can name. */
function badQueryValue(schema: Parameter['schema']): fc.Arbitrary<string> | null {
  if (schema.enum) {
    return fc
      .oneof(nastyString, fc.constantFrom('BASELINE', 'all', '*'))
      .filter((value) => value.length > 0 && !schema.enum!.includes(value));
  }
  if (schema.type === 'integer') {
    const below = schema.minimum === undefined ? [] : [String(schema.minimum - 1), '-1'];
    const above = schema.maximum === undefined ? [] : [String(schema.maximum + 1), '1e12'];
    return fc.constantFrom(...below, ...above, 'abc', 'NaN', 'Infinity', '1.5', "1'", '1;2');
  }
  if (schema.type === 'boolean') return fc.constantFrom('maybe', 'yes please', '2', "' OR 1");
  if (schema.pattern) {
    const pattern = new RegExp(schema.pattern);
    return nastyString.filter((value) => value.length > 0 && !pattern.test(value));
  }
  return null;
}

/** `{"a":{"a":…}}`, `depth` levels deep, with a valid run at the bottom. */
function nested(depth: number): string {
  return '{"a":'.repeat(depth) + JSON.stringify(baseline) + '}'.repeat(depth);
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    if (typeof node[key] !== 'object' || node[key] === null) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  const last = keys.at(-1)!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return target;
}
