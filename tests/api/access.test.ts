/**
 * Access to the real API: keys configured as hashes, read-only and read-write, on every
 * write route (submitting, cancelling, retrying); probes open; rate limits per key and per
 * address answered 429.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeyHash } from '../../apps/api/src/plugins/auth.js';
import { startTestApi, type TestApi } from '../helpers/api.js';
import { testServices } from '../helpers/services.js';

const WRITER = 'access-test-writer-key';
const READER = 'access-test-reader-key';
const KEYS = `${apiKeyHash(WRITER)}:rw,${apiKeyHash(READER)}:ro`;

const baseline = {
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'sgd', lr: 0.01 },
  steps: 5,
  nTests: 2,
};
const sweep = { name: 'access', base: baseline, grid: { 'optimizer.lr': [0.01, 0.02] } };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('API access', () => {
  describe('when keys are configured', () => {
    let api: TestApi;
    let runId: string;
    let sweepId: string;

    beforeAll(async () => {
      api = await startTestApi(await testServices('access'), { API_KEYS_SHA256: KEYS });
      const run = await api.app.inject({
        method: 'POST',
        url: '/v1/runs',
        payload: baseline,
        headers: bearer(WRITER),
      });
      runId = run.json().id;
      const posted = await api.app.inject({
        method: 'POST',
        url: '/v1/sweeps',
        payload: sweep,
        headers: bearer(WRITER),
      });
      sweepId = posted.json().id;
    });
    afterAll(() => api?.close());

    const writes = () => [
      { method: 'POST' as const, url: '/v1/runs', payload: baseline },
      { method: 'POST' as const, url: '/v1/sweeps', payload: sweep },
      { method: 'POST' as const, url: `/v1/runs/${runId}/cancel` },
      { method: 'POST' as const, url: `/v1/sweeps/${sweepId}/cancel` },
      { method: 'POST' as const, url: `/v1/sweeps/${sweepId}/retry` },
    ];

    it('answers every write without a key 401, with a wrong key 401, read-only 403', async () => {
      for (const write of writes()) {
        const missing = await api.app.inject(write);
        expect([write.url, missing.statusCode, missing.json().code]).toEqual([
          write.url,
          401,
          'AUTH_REQUIRED',
        ]);
        const wrong = await api.app.inject({ ...write, headers: bearer(`${WRITER}x`) });
        expect([write.url, wrong.statusCode, wrong.json().code]).toEqual([
          write.url,
          401,
          'AUTH_INVALID',
        ]);
        const reader = await api.app.inject({ ...write, headers: bearer(READER) });
        expect([write.url, reader.statusCode, reader.json().code]).toEqual([
          write.url,
          403,
          'AUTH_FORBIDDEN',
        ]);
      }
    });

    it('lets the read-write key cancel and retry', async () => {
      const cancel = await api.app.inject({
        method: 'POST',
        url: `/v1/sweeps/${sweepId}/cancel`,
        headers: bearer(WRITER),
      });
      expect(cancel.statusCode).toBe(202);
      expect(cancel.json().runIds).toHaveLength(2);
      const retry = await api.app.inject({
        method: 'POST',
        url: `/v1/sweeps/${sweepId}/retry`,
        headers: bearer(WRITER),
      });
      expect(retry.statusCode).toBe(202);
      expect(retry.json().runIds.sort()).toEqual(cancel.json().runIds.sort());
    });

    it('lets anyone read, and the probes answer without a key', async () => {
      const read = await api.app.inject({ method: 'GET', url: `/v1/runs/${runId}` });
      expect(read.statusCode).toBe(200);
      expect((await api.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      expect((await api.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    });
  });

  describe('when reads need a key', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi(await testServices('access-reads'), {
        API_KEYS_SHA256: KEYS,
        API_READS_NEED_KEY: 'true',
      });
    });
    afterAll(() => api?.close());

    it('answers a read without a key 401, and with the read-only key 200', async () => {
      const anonymous = await api.app.inject({ method: 'GET', url: '/v1/runs' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json().code).toBe('AUTH_REQUIRED');
      const keyed = await api.app.inject({
        method: 'GET',
        url: '/v1/runs',
        headers: bearer(READER),
      });
      expect(keyed.statusCode).toBe(200);
      expect((await api.app.inject({ method: 'GET', url: '/readyz' })).statusCode).toBe(200);
    });
  });

  describe('when a caller goes over the rate limit', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startTestApi(await testServices('access-rate'), {
        API_KEYS_SHA256: KEYS,
        API_RATE_LIMIT_MAX: '5',
        API_RATE_LIMIT_WINDOW_MS: '60000',
      });
    });
    afterAll(() => api?.close());

    const list = (headers: Record<string, string> = {}, remoteAddress = '10.0.0.1') =>
      api.app.inject({ method: 'GET', url: '/v1/runs', headers, remoteAddress });

    it('answers 429 RATE_LIMITED with Retry-After, per address and per key apart', async () => {
      for (let i = 0; i < 5; i++) expect((await list()).statusCode).toBe(200);
      const limited = await list();
      expect(limited.statusCode).toBe(429);
      expect(limited.json().code).toBe('RATE_LIMITED');
      expect(limited.json().message).toMatch(/at most 5 per 60 s/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

      // Another address, and a key from the same address, each have their own allowance.
      expect((await list({}, '10.0.0.2')).statusCode).toBe(200);
      expect((await list(bearer(READER))).statusCode).toBe(200);
      // Guessing keys counts against the address.
      const guess = await list(bearer('guess'), '10.0.0.2');
      expect(guess.statusCode).toBe(401);
    });

    it('never limits the probes', async () => {
      for (let i = 0; i < 8; i++) {
        const probe = await api.app.inject({
          method: 'GET',
          url: '/healthz',
          remoteAddress: '10.0.0.9',
        });
        expect(probe.statusCode).toBe(200);
      }
    });
  });
});
