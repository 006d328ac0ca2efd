/**
 * The API's settings, read from the environment (and `.env`, when present) once, here.
 * Nothing else in the API reads process.env.
 */
import envSchema from 'env-schema';
import { Type, type Static } from '@sinclair/typebox';
import { DEFAULT_DATABASE_URL } from '@metaopt/store/config';
import { DEFAULT_LIMITS, type SpecLimits } from '@metaopt/spec';

const ApiEnvSchema = Type.Object({
  DATABASE_URL: Type.String({ default: DEFAULT_DATABASE_URL }),
  REDIS_URL: Type.String({ default: 'redis://127.0.0.1:6379' }),
  METAOPT_QUEUE_PREFIX: Type.String({ default: 'metaopt', pattern: '^[A-Za-z0-9_.:-]+$' }),
  HOST: Type.String({ default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  LOG_LEVEL: Type.String({ default: 'info' }),
  /** Largest request body accepted; a sweep with explicit quadratics is the largest. */
  API_MAX_BODY_BYTES: Type.Integer({ minimum: 1024, default: 1_048_576 }),
  LIMIT_MAX_GRID_CELLS: Type.Integer({ minimum: 1, default: DEFAULT_LIMITS.maxGridCells }),
  LIMIT_MAX_STEPS: Type.Integer({ minimum: 1, default: DEFAULT_LIMITS.maxSteps }),
  LIMIT_MAX_TESTS: Type.Integer({ minimum: 1, default: DEFAULT_LIMITS.maxTests }),
  LIMIT_MAX_EPOCHS: Type.Integer({ minimum: 1, default: DEFAULT_LIMITS.maxEpochs }),
  LIMIT_MAX_QUADRATIC_DIM: Type.Integer({ minimum: 1, default: DEFAULT_LIMITS.maxQuadraticDim }),
  LIMIT_MAX_HIDDEN_UNITS: Type.Integer({ minimum: 1, default: DEFAULT_LIMITS.maxHiddenUnits }),
});

type ApiEnv = Static<typeof ApiEnvSchema>;

export interface ApiConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly host: string;
  readonly port: number;
  readonly logLevel: string;
  readonly maxBodyBytes: number;
  readonly limits: SpecLimits;
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
    maxBodyBytes: parsed.API_MAX_BODY_BYTES,
    limits: Object.freeze({
      maxGridCells: parsed.LIMIT_MAX_GRID_CELLS,
      maxSteps: parsed.LIMIT_MAX_STEPS,
      maxTests: parsed.LIMIT_MAX_TESTS,
      maxEpochs: parsed.LIMIT_MAX_EPOCHS,
      maxQuadraticDim: parsed.LIMIT_MAX_QUADRATIC_DIM,
      maxHiddenUnits: parsed.LIMIT_MAX_HIDDEN_UNITS,
    }),
  });
}
