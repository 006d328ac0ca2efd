/**
 * Real PostgreSQL and Redis for a test file: a migrated database of the file's own, and a
 * queue prefix of its own, so that files never see each other's records or jobs.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { ownDatabase } from '../setup/databases.js';

export interface TestServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
}

export async function testServices(label: string): Promise<TestServices> {
  return {
    databaseUrl: await ownDatabase(),
    redisUrl: inject('redisUrl'),
    queuePrefix: `${inject('queuePrefix')}-${label}-${randomUUID().slice(0, 8)}`,
  };
}
