/** A real worker process, spawned as `npm run worker` would start it, for end-to-end tests. */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { TestServices } from './services.js';

const root = resolve(import.meta.dirname, '../..');

export interface TestWorker {
  readonly process: ChildProcess;
  /** Everything the worker printed, for assertions and for failure messages. */
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function spawnWorker(services: TestServices, env: Record<string, string> = {}): TestWorker {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: services.databaseUrl,
      REDIS_URL: services.redisUrl,
      METAOPT_QUEUE_PREFIX: services.queuePrefix,
      METAOPT_BACKEND: 'wasm',
      WORKER_PROGRESS_INTERVAL_MS: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', resolveExit));

  return {
    process: child,
    output: () => output,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
