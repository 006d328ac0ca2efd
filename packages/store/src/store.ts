/**
 * The store: repositories over one Prisma client and its pool. Create one per process and
 * close it on shutdown; tests create one per file against their own database.
 */
import { createCheckpointRepository } from './checkpoints.js';
import { createComparisonRepository } from './comparisons.js';
import { createPrismaClient, type ClientOptions } from './client.js';
import { createCurveRepository } from './curves.js';
import { translated } from './errors.js';
import { createRunRepository } from './runs.js';
import { createSweepRepository } from './sweeps.js';

export type StoreOptions = ClientOptions;

export function createStore(options: StoreOptions) {
  const db = createPrismaClient(options);
  return {
    runs: createRunRepository(db),
    curves: createCurveRepository(db),
    checkpoints: createCheckpointRepository(db),
    sweeps: createSweepRepository(db),
    comparisons: createComparisonRepository(db),

    /** Resolves when PostgreSQL answers; throws STORE_UNAVAILABLE when it does not. */
    ping: (): Promise<void> =>
      translated(async () => {
        await db.$queryRaw`SELECT 1`;
      }),

    close: (): Promise<void> => db.$disconnect(),
  };
}

export type Store = ReturnType<typeof createStore>;
