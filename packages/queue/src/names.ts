/** One queue holds every run; the job name is the run kind, for dashboards and logs. */
export const RUNS_QUEUE = 'runs';

/** Queue names are shared by every deployment on a Redis; the prefix keeps them apart. */
export const DEFAULT_QUEUE_PREFIX = 'metaopt';

/**
 * The pub/sub channel on which the API announces cancelled runs (one run id per message) to
 * every worker, so the one running a run can stop it at its next step. Under the prefix, like
 * the queue, so deployments sharing a Redis do not cancel each other's runs.
 */
export function cancellationChannel(prefix: string): string {
  return `${prefix}:${RUNS_QUEUE}:cancellations`;
}
