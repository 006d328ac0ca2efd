/**
 * Real PostgreSQL and Redis for a test file: the database made for this test run by
 * tests/setup/global.ts, and a queue prefix of the file's own so that files never see each
 * other's jobs.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';

export interface TestServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly queuePrefix: string;
}

export function testServices(label: string): TestServices {
  return {
    databaseUrl: inject('databaseUrl'),
    redisUrl: inject('redisUrl'),
    queuePrefix: `mt-${label}-${randomUUID().slice(0, 8)}`,
  };
}
