/**
 * The API's settings, read from the environment (and `.env`, when present) once, here.
 * Nothing else in the API reads process.env.
 */
import envSchema from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_DATABASE_URL } from '@metaopt/store/config';
import { DEFAULT_LIMITS, parseDataDirs, type SpecLimits } from '@metaopt/spec';
import { parseApiKeys, type AuthPolicy } from './plugins/auth.js';
import type { RateLimitSettings } from './plugins/rate-limit.js';

/** A LIMIT_* setting: a size of at least 1, by default the spec package's. */
function limitSetting(defaultValue: number) {
  return Type.Integer({ minimum: 1, default: defaultValue });
}

const ApiEnvSchema = Type.Object({
  DATABASE_URL: Type.String({ default: DEFAULT_DATABASE_URL }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379' }),
  METAOPT_QUEUE_PREFIX: Type.String({ default: 'metaopt', pattern: '^[A-Za-z0-9_.:-]+$' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /** A comment on each open event stream this often, so proxies do not drop it as idle. */
  API_SSE_HEARTBEAT_MS: Type.Integer({ minimum: 100, default: 15_000 }),
  /** How long a browser waits before reconnecting a dropped event stream. */
  API_SSE_RETRY_MS: Type.Integer({ minimum: 0, default: 3000 }),
  /** Largest request body accepted; a sweep with explicit quadratics is the largest. */
  API_MAX_BODY_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  LIMIT_MAX_GRID_CELLS: limitSetting(DEFAULT_LIMITS.maxGridCells),
  LIMIT_MAX_STEPS: limitSetting(DEFAULT_LIMITS.maxSteps),
  LIMIT_MAX_TESTS: limitSetting(DEFAULT_LIMITS.maxTests),
  LIMIT_MAX_EPOCHS: limitSetting(DEFAULT_LIMITS.maxEpochs),
  LIMIT_MAX_QUADRATIC_DIM: limitSetting(DEFAULT_LIMITS.maxQuadraticDim),
  LIMIT_MAX_HIDDEN_UNITS: limitSetting(DEFAULT_LIMITS.maxHiddenUnits),
  LIMIT_MAX_LEARNED_HIDDEN_SIZE: limitSetting(DEFAULT_LIMITS.maxLearnedHiddenSize),
  LIMIT_MAX_ROLLOUTS_PER_EPOCH: limitSetting(DEFAULT_LIMITS.maxRolloutsPerEpoch),
  LIMIT_MAX_UNROLL: limitSetting(DEFAULT_LIMITS.maxUnroll),
  LIMIT_MAX_META_BATCH: limitSetting(DEFAULT_LIMITS.maxMetaBatch),
  LIMIT_MAX_BATCH_SIZE: limitSetting(DEFAULT_LIMITS.maxBatchSize),
  /** Floats of problem data one run holds at once (see @metaopt/spec's problem-floats.ts). */
  LIMIT_MAX_PROBLEM_FLOATS: limitSetting(DEFAULT_LIMITS.maxProblemFloats),
  /** Comma-separated absolute directories an idxDir dataset may lie in; empty: none. */
  METAOPT_DATA_DIRS: Type.String({ default: '' }),
  /** Comma-separated `<sha256 hex of a key>:rw|ro`; empty runs the API open (see auth.ts). */
  API_KEYS_SHA256: Type.String({ default: '' }),
  API_READS_NEED_KEY: Type.Boolean({ default: false }),
  /** Requests per API key (or address, without one) per window; 0 turns limiting off. */
  API_RATE_LIMIT_MAX: Type.Integer({ minimum: 0, default: 1200 }),
  API_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, default: 60_000 }),
  /** Tries per run before it is recorded failed, and the wait before the first retry. */
  RUN_ATTEMPTS: Type.Integer({ minimum: 1, default: 3 }),
  RUN_RETRY_DELAY_MS: Type.Integer({ minimum: 0, default: 5000 }),
});

type ApiEnv = Static<typeof ApiEnvSchema>;

export interface ApiConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly events: { readonly heartbeatMs: number; readonly retryMs: number };
  readonly maxBodyBytes: number;
  readonly limits: SpecLimits;
  readonly auth: AuthPolicy;
  readonly rateLimit: RateLimitSettings;
  readonly runAttempts: number;
  readonly runRetryDelayMs: number;
}

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = envSchema<ApiEnv>({ schema: ApiEnvSchema, data: env, dotenv: { quiet: true } });
  return Object.freeze({
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    queuePrefix: parsed.METAOPT_QUEUE_PREFIX,
    host: parsed.HOST,
    port: parsed.PORT,
    logLevel: parsed.LOG_LEVEL,
    events: Object.freeze({
      heartbeatMs: parsed.API_SSE_HEARTBEAT_MS,
      retryMs: parsed.API_SSE_RETRY_MS,
    }),
    maxBodyBytes: parsed.API_MAX_BODY_BYTES,
    limits: Object.freeze({
      maxGridCells: parsed.LIMIT_MAX_GRID_CELLS,
      maxSteps: parsed.LIMIT_MAX_STEPS,
      maxTests: parsed.LIMIT_MAX_TESTS,
      maxEpochs: parsed.LIMIT_MAX_EPOCHS,
      maxQuadraticDim: parsed.LIMIT_MAX_QUADRATIC_DIM,
      maxHiddenUnits: parsed.LIMIT_MAX_HIDDEN_UNITS,
      maxLearnedHiddenSize: parsed.LIMIT_MAX_LEARNED_HIDDEN_SIZE,
      maxRolloutsPerEpoch: parsed.LIMIT_MAX_ROLLOUTS_PER_EPOCH,
      maxUnroll: parsed.LIMIT_MAX_UNROLL,
      maxMetaBatch: parsed.LIMIT_MAX_META_BATCH,
      maxBatchSize: parsed.LIMIT_MAX_BATCH_SIZE,
      maxProblemFloats: parsed.LIMIT_MAX_PROBLEM_FLOATS,
      dataDirs: parseDataDirs(parsed.METAOPT_DATA_DIRS),
    }),
    auth: Object.freeze({
      keys: Object.freeze(parseApiKeys(parsed.API_KEYS_SHA256)),
      readsNeedKey: parsed.API_READS_NEED_KEY,
    }),
    rateLimit: Object.freeze({
      max: parsed.API_RATE_LIMIT_MAX,
      windowMs: parsed.API_RATE_LIMIT_WINDOW_MS,
    }),
    runAttempts: parsed.RUN_ATTEMPTS,
    runRetryDelayMs: parsed.RUN_RETRY_DELAY_MS,
  });
}
