/**
 * What every job in one worker process shares: settings, the PostgreSQL store, the numerics
 * backend and the logger. A sandboxed processor runs in its own child process, so this is
 * built once per child, on its first job.
 */
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { initBackend } from '@metaopt/l2l';
import { createStore, type Store } from '@metaopt/store';
import { loadWorkerConfig, type WorkerConfig } from './config.js';
import { createLogger } from './logger.js';
import { patientStore } from './patient-store.js';

export interface WorkerContext {
  readonly config: WorkerConfig;
  readonly store: Store;
  readonly backend: string;
  readonly workerName: string;
  readonly log: Logger;
}

let context: Promise<WorkerContext> | undefined;

export function workerContext(): Promise<WorkerContext> {
  context ??= buildContext();
  return context;
}

async function buildContext(): Promise<WorkerContext> {
  const config = loadWorkerConfig();
  const workerName = config.workerName ?? `${hostname()}:${process.pid}`;
  const { name: backend } = await initBackend(config.backend);
  const log = createLogger(config.logLevel, { worker: workerName, backend });
  const store = patientStore(createStore({ databaseUrl: config.databaseUrl }), {
    maxWaitMs: config.storeWaitMs,
    log,
  });
  log.info({ requested: config.backend }, 'numerics backend ready');
  return { config, store, backend, workerName, log };
}
