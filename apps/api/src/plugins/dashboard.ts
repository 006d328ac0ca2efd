/**
 * The dashboard: one static page and its script and style, read once at start-up. The page
 * holds no data; its script reads the public API (/v1) and follows the event streams, so it
 * needs no access of its own.
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

export const DASHBOARD_PATH = '/dashboard';

const ASSETS = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/dashboard.js': { file: 'dashboard.js', type: 'text/javascript; charset=utf-8' },
  '/dashboard.css': { file: 'dashboard.css', type: 'text/css; charset=utf-8' },
} as const;

// Everything the page loads comes from this server; nothing inline, nothing third-party.
const CONTENT_SECURITY_POLICY =
  "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "connect-src 'self'; frame-ancestors 'none'";

export async function registerDashboard(app: FastifyInstance): Promise<void> {
  const folder = new URL('../dashboard/', import.meta.url);

  for (const [suffix, asset] of Object.entries(ASSETS)) {
    const body = await readFile(new URL(asset.file, folder), 'utf8');
    app.get(`${DASHBOARD_PATH}${suffix}`, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .type(asset.type)
        .header('content-security-policy', CONTENT_SECURITY_POLICY)
        .header('cache-control', 'no-cache')
        .send(body),
    );
  }
  app.get('/', { schema: { hide: true } }, async (_request, reply) =>
    reply.redirect(DASHBOARD_PATH),
  );
}
