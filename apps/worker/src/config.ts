/**
 * The worker's settings, read from the environment (and `.env`, when present) once, here.
 * Nothing else in the worker reads process.env.
 */
import envSchema from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_DATABASE_URL } from '@metaopt/store/config';
import { parseDataDirs } from '@metaopt/spec';

const WorkerEnvSchema = Type.Object({
  DATABASE_URL: Type.String({ default: DEFAULT_DATABASE_URL }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379' }),
  METAOPT_QUEUE_PREFIX: Type.String({ default: 'metaopt', pattern: '^[A-Za-z0-9_.:-]+$' }),
  METAOPT_BACKEND: Type.Union(
    ['auto', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'].map((name) => Type.Literal(name)),
    { default: 'auto' },
  ),
  /** Jobs at a time; one per GPU, since a second job on the same device only slows both. */
  WORKER_CONCURRENCY: Type.Integer({ minimum: 1, default: 1 }),
  /** How long a job's lock lives without renewal before the job counts as stalled. */
  WORKER_LOCK_DURATION_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  WORKER_STALLED_INTERVAL_MS: Type.Integer({ minimum: 1000, default: 30_000 }),
  /** Times a job may lose its worker (killed, preempted) and be resumed before it fails. */
  WORKER_MAX_STALLED_COUNT: Type.Integer({ minimum: 0, default: 2 }),
  /** Time given to an interrupted job to checkpoint and hand itself back on SIGTERM. */
  WORKER_SHUTDOWN_GRACE_MS: Type.Integer({ minimum: 0, default: 30_000 }),
  /** Longest one record or checkpoint write waits out a PostgreSQL outage before failing. */
  WORKER_STORE_WAIT_MS: Type.Integer({ minimum: 0, default: 300_000 }),
  /** How long an evaluation waits before asking again whether its meta-training finished. */
  WORKER_DEPENDENCY_POLL_MS: Type.Integer({ minimum: 10, default: 2000 }),
  /** Shortest interval between progress writes to PostgreSQL for one run. */
  WORKER_PROGRESS_INTERVAL_MS: Type.Integer({ minimum: 0, default: 1000 }),
  WORKER_NAME: Type.Optional(Type.String()),
  /** The API's setting, enforced again on each job: where an idxDir dataset may lie. */
  METAOPT_DATA_DIRS: Type.String({ default: '' }),
  LOG_LEVEL: Type.String({ default: 'info' }),
});

type WorkerEnv = Static<typeof WorkerEnvSchema>;

export interface WorkerConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly backend: 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu';
  readonly concurrency: number;
  readonly lockDurationMs: number;
  readonly stalledIntervalMs: number;
  readonly maxStalledCount: number;
  readonly shutdownGraceMs: number;
  readonly storeWaitMs: number;
  readonly dependencyPollMs: number;
  readonly progressIntervalMs: number;
  readonly workerName: string | undefined;
  readonly logLevel: string;
  /** Absolute directories an idxDir dataset may lie in; empty refuses every idxDir. */
  readonly dataDirs: readonly string[];
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const parsed = envSchema<WorkerEnv>({
    schema: WorkerEnvSchema,
    data: env,
    dotenv: { quiet: true },
  });
  return Object.freeze({
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    queuePrefix: parsed.METAOPT_QUEUE_PREFIX,
    backend: parsed.METAOPT_BACKEND as WorkerConfig['backend'],
    concurrency: parsed.WORKER_CONCURRENCY,
    lockDurationMs: parsed.WORKER_LOCK_DURATION_MS,
    stalledIntervalMs: parsed.WORKER_STALLED_INTERVAL_MS,
    maxStalledCount: parsed.WORKER_MAX_STALLED_COUNT,
    shutdownGraceMs: parsed.WORKER_SHUTDOWN_GRACE_MS,
    storeWaitMs: parsed.WORKER_STORE_WAIT_MS,
    dependencyPollMs: parsed.WORKER_DEPENDENCY_POLL_MS,
    progressIntervalMs: parsed.WORKER_PROGRESS_INTERVAL_MS,
    workerName: parsed.WORKER_NAME,
    logLevel: parsed.LOG_LEVEL,
    dataDirs: parseDataDirs(parsed.METAOPT_DATA_DIRS),
  });
}
