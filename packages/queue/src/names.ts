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

/**
 * A job that computes several runs (a learning-rate grid) publishes, on the queue's events
 * stream, the events each of its runs would have had as a job of its own, named with this
 * prefix (`member-active`, `member-progress`, …) and with the run's id as `jobId`: readers
 * follow runs, not jobs.
 */
export const MEMBER_EVENT_PREFIX = 'member-';

/** The events stream's length cap: BullMQ's default, which the published events keep too. */
export const EVENTS_MAX_LEN = 10_000;
