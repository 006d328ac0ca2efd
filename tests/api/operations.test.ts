/**
 * Operations: Prometheus metrics at /metrics, fed by requests, submissions and the queue's
 * events (runs moved by the scripted worker), and Bull Board behind a read-write key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHash } from '../../apps/api/src/plugins/auth.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { pollUntil } from '../helpers/poll.js';
import {
  SCRIPTED_LR,
  startScriptedWorker,
  type ScriptedWorker,
} from '../helpers/scripted-worker.js';
import { testServices, type TestServices } from '../helpers/services.js';

const sweep = {
  name: 'operations',
  base: {
    kind: 'baseline',
    task: { kind: 'quadratic' },
    optimizer: { name: 'sgd', lr: 0.1 },
    steps: 3,
    nTests: 1,
  },
  grid: { 'optimizer.lr': [0.1, SCRIPTED_LR.diverges, SCRIPTED_LR.fails] },
};

/** The value of one sample of the exposition text, or undefined if it is absent. */
function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? undefined : Number(line.split(' ').at(-1));
}

describe('/metrics', () => {
  let services: TestServices;
  let api: TestApi;
  let worker: ScriptedWorker;

  beforeAll(async () => {
    services = await testServices('metrics');
    api = await startTestApi(services);
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
  });

  const metrics = async () => {
    const response = await api.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    return response.body;
  };
  const postSweep = () => api.app.inject({ method: 'POST', url: '/v1/sweeps', payload: sweep });

  describe('when runs are waiting', () => {
    it('counts them by queue state, and the submission as cache misses', async () => {
      expect((await postSweep()).statusCode).toBe(202);
      const text = await metrics();
      expect(sample(text, 'metaopt_queue_jobs', 'state="waiting"')).toBe(3);
      expect(sample(text, 'metaopt_submitted_runs_total', 'cache="miss"')).toBe(3);
      expect(
        sample(
          text,
          'metaopt_http_request_duration_seconds_count',
          'method="POST",route="/v1/sweeps",status_code="202"',
        ),
      ).toBe(1);
    });
  });

  describe('when the runs have ended', () => {
    it('records their durations by status, the diverged one, and the failed job', async () => {
      worker = startScriptedWorker(services, api.store);
      const duration = (text: string, status: string) =>
        sample(text, 'metaopt_run_duration_seconds_count', `kind="baseline",status="${status}"`);
      const statuses = ['succeeded', 'diverged', 'failed'];
      const text = await pollUntil(metrics, (body) =>
        statuses.every((status) => duration(body, status) === 1),
      );

      expect(statuses.map((status) => duration(text, status))).toEqual([1, 1, 1]);
      expect(sample(text, 'metaopt_runs_diverged_total', 'kind="baseline"')).toBe(1);
      expect(sample(text, 'metaopt_queue_jobs', 'state="failed"')).toBe(1);
      expect(sample(text, 'metaopt_queue_jobs', 'state="waiting"')).toBe(0);
    });
  });

  describe('when the same sweep is submitted again', () => {
    it('counts its settled runs as cache hits', async () => {
      expect((await postSweep()).statusCode).toBe(202);
      const text = await metrics();
      // Succeeded and diverged are answered from the store; the failed one starts over.
      expect(sample(text, 'metaopt_submitted_runs_total', 'cache="hit"')).toBe(2);
      expect(sample(text, 'metaopt_submitted_runs_total', 'cache="miss"')).toBe(4);
    });
  });
});

describe('Bull Board at /admin/queues', () => {
  const writeKey = 'test-write-key';
  const readKey = 'test-read-key';
  let api: TestApi;

  beforeAll(async () => {
    api = await startTestApi(await testServices('board'), {
      API_KEYS_SHA256: `${apiKeyHash(writeKey)}:rw,${apiKeyHash(readKey)}:ro`,
    });
  });
  afterAll(() => api?.close());

  const get = (url: string, key?: string) =>
    api.app.inject({
      method: 'GET',
      url,
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });

  describe('when no key is sent', () => {
    it('answers 401 AUTH_REQUIRED', async () => {
      const response = await get('/admin/queues');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
    });
  });

  describe('when a read-only key is sent', () => {
    it('answers 403 AUTH_FORBIDDEN, for the page and for its API', async () => {
      for (const url of ['/admin/queues', '/admin/queues/api/queues']) {
        const response = await get(url, readKey);
        expect(response.statusCode, url).toBe(403);
        expect(response.json()).toMatchObject({ code: 'AUTH_FORBIDDEN' });
      }
    });
  });

  describe('when an unknown key is sent', () => {
    it('answers 401 AUTH_INVALID', async () => {
      const response = await get('/admin/queues', 'nobody');
      expect(response.statusCode).toBe(401);
      expect(response.json()).toMatchObject({ code: 'AUTH_INVALID' });
    });
  });

  describe('when a read-write key is sent', () => {
    it('serves the board, and its API lists the runs queue', async () => {
      const page = await get('/admin/queues', writeKey);
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);

      const queues = await get('/admin/queues/api/queues', writeKey);
      expect(queues.statusCode).toBe(200);
      expect(queues.json().queues.map((queue: { name: string }) => queue.name)).toEqual(['runs']);
    });
  });
});
