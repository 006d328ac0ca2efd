import type { RunSpec } from '@metaopt/spec';

/**
 * What a worker receives. The spec travels normalized; the worker validates and re-hashes it
 * before doing any work, so a payload that does not match its id is refused, not computed.
 */
export interface RunJobData {
  readonly runId: string;
  readonly spec: RunSpec;
  /** The HTTP request that asked for the run, so the worker's log lines can be joined to it. */
  readonly requestId?: string;
}

/** What a processor returns; the numbers themselves live in PostgreSQL, not in Redis. */
export interface RunJobResult {
  readonly runId: string;
  readonly status: 'succeeded' | 'diverged' | 'cancelled' | 'cached';
}
