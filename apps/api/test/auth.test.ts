/**
 * The API-key guard on a bare Fastify app: which key may read and write, what a missing,
 * unknown or read-only key is answered, and that an open API says so when it starts.
 */
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../src/plugins/errors.js';
import {
  accessOf,
  apiKeyHash,
  installAuth,
  parseApiKeys,
  requireAccess,
  type AuthPolicy,
} from '../src/plugins/auth.js';

const WRITER = 'writer-key-0123456789';
const READER = 'reader-key-0123456789';
const KEYS = `${apiKeyHash(WRITER)}:rw, ${apiKeyHash(READER).toUpperCase()}:ro`;

interface Built {
  app: FastifyInstance;
  logs: string[];
}

async function build(policy: AuthPolicy): Promise<Built> {
  const logs: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const app = Fastify({ logger: { level: 'info', stream } });
  installErrorHandler(app);
  installAuth(app, policy);
  app.get('/thing', async (request) => ({ access: accessOf(request) }));
  app.post('/thing', async () => ({ done: true }));
  app.get('/probe', { config: { access: 'public' } }, async () => ({ ok: true }));
  app.get('/admin', { onRequest: requireAccess('write') }, async () => ({ admin: true }));
  await app.ready();
  return { app, logs };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('parseApiKeys', () => {
  it('reads rw and ro entries, lowercasing the hashes', () => {
    const keys = parseApiKeys(KEYS);
    expect(keys.map((key) => key.access)).toEqual(['write', 'read']);
    expect(keys[1]!.id).toBe(apiKeyHash(READER).slice(0, 12));
  });

  it('is empty for an empty setting', () => {
    expect(parseApiKeys(' , ')).toEqual([]);
  });

  describe('when an entry is malformed', () => {
    it.each([
      ['a key in clear', 'my-secret-key:rw'],
      ['an unknown role', `${apiKeyHash('x')}:admin`],
      ['no role', apiKeyHash('x')],
      ['a short hash', `${apiKeyHash('x').slice(1)}:ro`],
    ])('refuses %s, naming the entry but not its text', (_what, entry) => {
      expect(() => parseApiKeys(`${apiKeyHash('ok')}:rw,${entry}`)).toThrow(/entry 2 /);
      try {
        parseApiKeys(entry);
      } catch (error) {
        expect((error as Error).message).not.toContain(entry);
      }
    });
  });
});

describe('the API-key guard', () => {
  let built: Built;
  afterEach(() => built?.app.close());

  describe('when no key is configured', () => {
    it('lets anyone read and write, and warns at start-up that the API is open', async () => {
      built = await build({ keys: [], readsNeedKey: false });
      const { app, logs } = built;

      expect((await app.inject({ method: 'POST', url: '/thing' })).statusCode).toBe(200);
      expect((await app.inject({ method: 'GET', url: '/thing' })).json()).toEqual({
        access: 'write',
      });
      const warning = logs.map((line) => JSON.parse(line)).find((line) => line.level === 40);
      expect(warning?.msg).toMatch(/no api keys configured/);
    });
  });

  describe('when keys are configured and reads are open', () => {
    const policy = () => ({ keys: parseApiKeys(KEYS), readsNeedKey: false });

    it('answers a write without a key 401 AUTH_REQUIRED, asking for a key', async () => {
      built = await build(policy());
      const response = await built.app.inject({ method: 'POST', url: '/thing' });
      expect(response.statusCode).toBe(401);
      // Basic too, so that a browser opening Bull Board prompts for the key.
      expect(response.headers['www-authenticate']).toEqual([
        'Bearer',
        'Basic realm="metaopt", charset="UTF-8"',
      ]);
      expect(response.json()).toMatchObject({ code: 'AUTH_REQUIRED' });
      expect(response.json().message).toMatch(/Authorization: Bearer/);
    });

    it('answers an unknown key 401 AUTH_INVALID, even on a read', async () => {
      built = await build(policy());
      for (const method of ['GET', 'POST'] as const) {
        const response = await built.app.inject({
          method,
          url: '/thing',
          headers: bearer('not-a-key'),
        });
        expect(response.statusCode).toBe(401);
        expect(response.json().code).toBe('AUTH_INVALID');
      }
    });

    it('answers a read-only key writing 403 AUTH_FORBIDDEN', async () => {
      built = await build(policy());
      const response = await built.app.inject({
        method: 'POST',
        url: '/thing',
        headers: bearer(READER),
      });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('AUTH_FORBIDDEN');
    });

    it('lets a read-write key write, and anyone read', async () => {
      built = await build(policy());
      const { app } = built;
      const write = await app.inject({ method: 'POST', url: '/thing', headers: bearer(WRITER) });
      expect(write.statusCode).toBe(200);
      const read = await app.inject({ method: 'GET', url: '/thing' });
      expect(read.json()).toEqual({ access: null });
      const keyed = await app.inject({ method: 'GET', url: '/thing', headers: bearer(READER) });
      expect(keyed.json()).toEqual({ access: 'read' });
    });

    it('takes the key as the password of Basic credentials, as a browser sends it', async () => {
      built = await build(policy());
      const basic = (user: string, key: string) => ({
        authorization: `Basic ${Buffer.from(`${user}:${key}`).toString('base64')}`,
      });
      const { app } = built;
      const writer = await app.inject({
        method: 'GET',
        url: '/admin',
        headers: basic('me', WRITER),
      });
      expect(writer.statusCode).toBe(200);
      const reader = await app.inject({ method: 'GET', url: '/admin', headers: basic('', READER) });
      expect(reader.statusCode).toBe(403);
      const wrong = await app.inject({ method: 'GET', url: '/admin', headers: basic(WRITER, 'x') });
      expect(wrong.statusCode).toBe(401);
      const noColon = { authorization: `Basic ${Buffer.from(WRITER).toString('base64')}` };
      expect(
        (await app.inject({ method: 'GET', url: '/admin', headers: noColon })).statusCode,
      ).toBe(401);
    });

    it("refuses a write with a browser's Basic credentials from another site", async () => {
      built = await build(policy());
      const { app } = built;
      const basic = `Basic ${Buffer.from(`u:${WRITER}`).toString('base64')}`;
      const from = (headers: Record<string, string>) =>
        app.inject({
          method: 'POST',
          url: '/thing',
          headers: { authorization: basic, ...headers },
        });

      const crossSite = await from({ 'sec-fetch-site': 'cross-site' });
      expect(crossSite.statusCode).toBe(403);
      expect(crossSite.json().code).toBe('AUTH_FORBIDDEN');
      const otherOrigin = await from({ origin: 'https://evil.example', host: 'metaopt.local' });
      expect(otherOrigin.statusCode).toBe(403);
      expect((await from({ 'sec-fetch-site': 'same-origin' })).statusCode).toBe(200);
      expect(
        (await from({ origin: 'http://metaopt.local', host: 'metaopt.local' })).statusCode,
      ).toBe(200);
      // A Bearer token is never sent by a browser unasked: its origin does not matter.
      const bearerCrossSite = await app.inject({
        method: 'POST',
        url: '/thing',
        headers: { ...bearer(WRITER), 'sec-fetch-site': 'cross-site' },
      });
      expect(bearerCrossSite.statusCode).toBe(200);
    });

    it('keeps a route that asks for write access closed to readers', async () => {
      built = await build(policy());
      const { app } = built;
      const reader = await app.inject({ method: 'GET', url: '/admin', headers: bearer(READER) });
      expect(reader.statusCode).toBe(403);
      const writer = await app.inject({ method: 'GET', url: '/admin', headers: bearer(WRITER) });
      expect(writer.statusCode).toBe(200);
    });

    it('logs how many keys it loaded and never a key or its hash', async () => {
      built = await build(policy());
      await built.app.inject({ method: 'POST', url: '/thing', headers: bearer(WRITER) });
      const text = built.logs.join('');
      expect(text).toMatch(/api keys loaded/);
      for (const secret of [WRITER, READER, apiKeyHash(WRITER), apiKeyHash(READER)]) {
        expect(text).not.toContain(secret);
      }
    });
  });

  describe('when reads need a key', () => {
    it('answers a read without a key 401, and lets public routes through', async () => {
      built = await build({ keys: parseApiKeys(KEYS), readsNeedKey: true });
      const { app } = built;
      const read = await app.inject({ method: 'GET', url: '/thing' });
      expect(read.statusCode).toBe(401);
      expect(read.json().code).toBe('AUTH_REQUIRED');
      expect((await app.inject({ method: 'GET', url: '/probe' })).statusCode).toBe(200);
      const keyed = await app.inject({ method: 'GET', url: '/thing', headers: bearer(READER) });
      expect(keyed.statusCode).toBe(200);
    });
  });
});
