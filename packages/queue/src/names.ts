/** One queue holds every run; the job name is the run kind, for dashboards and logs. */
export const RUNS_QUEUE = 'runs';

/** Queue names are shared by every deployment on a Redis; the prefix keeps them apart. */
export const DEFAULT_QUEUE_PREFIX = 'metaopt';
