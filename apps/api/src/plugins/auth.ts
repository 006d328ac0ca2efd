/**
 * Who may do what. The operator configures API keys by their SHA-256 (API_KEYS_SHA256), each
 * read-only or read-write, so the server never holds a key itself and a leaked configuration
 * gives nobody access. Writes need a read-write key; reads need a key only when
 * API_READS_NEED_KEY is set. With no key configured at all the API is open, for local use, and
 * says so at start-up.
 *
 * Every route is guarded by what its method does (GET and HEAD read, the rest write) unless
 * it declares otherwise in `config.access`; health probes declare `'public'`. Plugins that
 * want a stricter check on their own routes (Bull Board needs a read-write key even to look)
 * add `onRequest: requireAccess('write')`.
 *
 * A key is sent as `Authorization: Bearer <key>`, or as the password of HTTP Basic
 * credentials (any user name): a 401 offers both, so a browser asks for the key once and
 * sends it with every request of the page, its event streams included. That is how people
 * open Bull Board, and the dashboard when reads need a key. Because a browser sends such
 * credentials by itself, a write carrying them from another site's page is refused (see
 * {@link crossSite}): no other site can cancel or retry runs on a visitor's behalf.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type {
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  onRequestAsyncHookHandler,
} from 'fastify';
import { ApiError } from '../errors.js';

export type Access = 'read' | 'write';
/** What a route asks of a caller: a key with `read` or `write` access, or nothing. */
export type RouteAccess = Access | 'public';

export interface ApiKey {
  /** The first 12 hex digits of the key's SHA-256: names the key in logs and rate limits. */
  readonly id: string;
  readonly sha256: Buffer;
  readonly access: Access;
}

export interface AuthPolicy {
  /** Empty: the API is open. */
  readonly keys: readonly ApiKey[];
  readonly readsNeedKey: boolean;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the route asks of a caller; by default its method decides. */
    access?: RouteAccess;
  }
  interface FastifyInstance {
    authPolicy: AuthPolicy;
  }
}

const READING_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Offered with every 401 beside Bearer, so that a browser asks for the key. */
const BASIC_CHALLENGE = 'Basic realm="metaopt", charset="UTF-8"';
/** Longer than any key anyone would configure; bounds the hashing an attacker can ask for. */
const MAX_KEY_LENGTH = 512;

/**
 * Parses API_KEYS_SHA256: comma-separated `sha256hex:rw` or `sha256hex:ro` entries (`rw` may
 * write, `ro` only read). Throws, naming the entry, on anything else, so a typo stops the
 * server at start-up instead of locking everyone out or letting everyone in.
 */
export function parseApiKeys(text: string): ApiKey[] {
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  return entries.map((entry, index) => {
    const match = /^([0-9a-fA-F]{64}):(rw|ro)$/.exec(entry);
    if (!match) {
      throw new Error(
        `API_KEYS_SHA256 entry ${index + 1} is not "<sha256 hex>:rw" or "<sha256 hex>:ro".`,
      );
    }
    const hex = match[1]!.toLowerCase();
    return {
      id: hex.slice(0, 12),
      sha256: Buffer.from(hex, 'hex'),
      access: match[2] === 'rw' ? 'write' : 'read',
    };
  });
}

/** The hex SHA-256 of a key, as API_KEYS_SHA256 lists it. */
export function apiKeyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Installs the policy on the app and guards every route registered after this call. Call it
 * before registering routes.
 */
export function installAuth(app: FastifyInstance, policy: AuthPolicy): void {
  app.decorate('authPolicy', policy);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const access: RouteAccess =
      route.config?.access ??
      (methods.every((method) => READING_METHODS.has(method)) ? 'read' : 'write');
    if (access === 'public') return;
    const guard = requireAccess(access);
    route.onRequest = [...toArray(route.onRequest), guard];
  });

  if (policy.keys.length === 0) {
    app.log.warn(
      { hint: 'set API_KEYS_SHA256' },
      'no api keys configured: anyone who can reach this api may submit and cancel runs',
    );
  } else {
    const writers = policy.keys.filter((key) => key.access === 'write').length;
    app.log.info(
      { keys: policy.keys.length, readWriteKeys: writers, readsNeedKey: policy.readsNeedKey },
      'api keys loaded',
    );
  }
}

/**
 * The access the request's credentials give: `write` for a read-write key (or anyone, when no
 * key is configured), `read` for a read-only key, null for no key or an unknown one.
 */
export function accessOf(request: FastifyRequest): Access | null {
  if (request.server.authPolicy.keys.length === 0) return 'write';
  return credentialsOf(request).key?.access ?? null;
}

/** The key the request presented, if the server knows it; for logs and rate limits. */
export function apiKeyOf(request: FastifyRequest): ApiKey | null {
  return credentialsOf(request).key;
}

/** An onRequest hook refusing callers without `needed` access: 401, or 403 for a reader. */
export function requireAccess(needed: Access): onRequestAsyncHookHandler {
  return async (request, reply) => checkAccess(request, reply, needed);
}

function checkAccess(request: FastifyRequest, reply: FastifyReply, needed: Access): void {
  const policy = request.server.authPolicy;
  if (policy.keys.length === 0) return;

  const { presented, key, scheme } = credentialsOf(request);
  if (!presented) {
    if (needed === 'read' && !policy.readsNeedKey) return;
    // One header line per scheme: Chromium ignores a Basic challenge listed after another.
    reply.header('www-authenticate', ['Bearer', BASIC_CHALLENGE]);
    throw new ApiError(
      'AUTH_REQUIRED',
      `${needed === 'write' ? 'Writing' : 'Reading'} needs an API key: ` +
        'send it as "Authorization: Bearer <key>".',
    );
  }
  if (!key) {
    reply.header('www-authenticate', ['Bearer error="invalid_token"', BASIC_CHALLENGE]);
    throw new ApiError('AUTH_INVALID', 'The API key sent is not one this server accepts.');
  }
  if (needed === 'write' && key.access !== 'write') {
    throw new ApiError(
      'AUTH_FORBIDDEN',
      'The API key sent is read-only; writing needs a read-write key.',
    );
  }
  if (needed === 'write' && scheme === 'basic' && crossSite(request)) {
    throw new ApiError(
      'AUTH_FORBIDDEN',
      "A write with a browser's saved credentials came from another site's page; " +
        'send the key as a Bearer token, or write from this server’s own pages.',
    );
  }
  request.log.debug({ apiKey: key.id }, 'api key accepted');
}

interface Credentials {
  /** Whether the request sent an Authorization header at all. */
  readonly presented: boolean;
  readonly key: ApiKey | null;
  /** How the key came: Basic credentials are a browser's, sent by it unasked. */
  readonly scheme?: 'bearer' | 'basic';
}

/**
 * Whether a browser says the request comes from another site's page: by Sec-Fetch-Site
 * (every current browser sends it), else by an Origin naming another host. Clients that are
 * not browsers send neither.
 */
function crossSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site !== 'same-origin' && site !== 'none';
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true;
  }
}

// The rate limiter and the guard both ask; hash each request's key once.
const seen = new WeakMap<FastifyRequest, Credentials>();

function credentialsOf(request: FastifyRequest): Credentials {
  let credentials = seen.get(request);
  if (!credentials) {
    credentials = resolve(request.headers.authorization, request.server.authPolicy);
    seen.set(request, credentials);
  }
  return credentials;
}

function resolve(header: string | undefined, policy: AuthPolicy): Credentials {
  if (header === undefined) return { presented: false, key: null };
  const sent = keySent(header);
  if (sent === null || sent.key.length > MAX_KEY_LENGTH) return { presented: true, key: null };

  const hash = createHash('sha256').update(sent.key, 'utf8').digest();
  // Compare with every key, in constant time each, so timing says nothing about which
  // configured hash a guess came close to.
  let found: ApiKey | null = null;
  for (const key of policy.keys) {
    if (timingSafeEqual(hash, key.sha256)) found = key;
  }
  return { presented: true, key: found, scheme: sent.scheme };
}

/** The key in a Bearer header, or the password of Basic credentials; null if neither. */
function keySent(header: string): { key: string; scheme: 'bearer' | 'basic' } | null {
  const bearer = /^Bearer +(\S+) *$/i.exec(header);
  if (bearer) return { key: bearer[1]!, scheme: 'bearer' };
  const basic = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(header);
  if (!basic || basic[1]!.length > 2 * MAX_KEY_LENGTH) return null;
  const credentials = Buffer.from(basic[1]!, 'base64').toString('utf8');
  const colon = credentials.indexOf(':');
  return colon < 0 ? null : { key: credentials.slice(colon + 1), scheme: 'basic' };
}

function toArray<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}
