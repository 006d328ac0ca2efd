/**
 * The Prisma client over PostgreSQL, through `@prisma/adapter-pg` (Prisma 7 needs no native
 * engine for queries). One per process: each holds its own connection pool.
 */
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from './generated/client.js';

export type { PrismaClient };

export interface ClientOptions {
  /** `postgresql://…`; a `?schema=` parameter selects the PostgreSQL schema. */
  readonly databaseUrl: string;
  /** Pool size; pg's default (10) when absent. */
  readonly maxConnections?: number;
}

export function createPrismaClient({ databaseUrl, maxConnections }: ClientOptions): PrismaClient {
  const schema = new URL(databaseUrl).searchParams.get('schema') ?? undefined;
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: maxConnections }, { schema });
  return new PrismaClient({
    adapter,
    // A finish writes a run's curves and a checkpoint may be megabytes: more than the 5 s
    // default, and a busy pool may take more than 2 s to hand out a connection.
    transactionOptions: { maxWait: 10_000, timeout: 60_000 },
  });
}
