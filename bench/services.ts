/**
 * What the load benchmarks share: a fresh migrated database and queue prefix of their own on
 * the local PostgreSQL and Redis (or DATABASE_URL / REDIS_URL), the API as a real process,
 * and clean-up.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import pg from 'pg';
import { migrate } from '../scripts/migrate.js';

const root = resolve(import.meta.dirname, '..');

export interface BenchServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  drop(): Promise<void>;
}

export async function benchServices(label: string): Promise<BenchServices> {
  const server = process.env.DATABASE_URL ?? 'postgresql://root@127.0.0.1:5432/postgres';
  const name = `metaopt_bench_${label}_${randomBytes(3).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  await migrate({ databaseUrl, quiet: true });
  return {
    databaseUrl,
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    queuePrefix: name,
    async drop() {
      const client = new pg.Client({ connectionString: server });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await client.end();
    },
  };
}

export interface ApiProcess {
  readonly url: string;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/** `npm run api` on a free port, with `env` on top; resolves once /healthz answers. */
export async function startApi(
  services: BenchServices,
  env: Record<string, string> = {},
): Promise<ApiProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: services.databaseUrl,
      REDIS_URL: services.redisUrl,
      METAOPT_QUEUE_PREFIX: services.queuePrefix,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    if (child.exitCode !== null) throw new Error('the API exited at start-up');
    const ok = await fetch(`${url}/healthz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) break;
    if (tries > 300) throw new Error('the API did not answer within 60 s');
    await new Promise((resolveWait) => setTimeout(resolveWait, 200));
  }
  return {
    url,
    process: child,
    async stop() {
      const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}
