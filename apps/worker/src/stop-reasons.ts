/**
 * The reasons the worker's main process gives BullMQ when it aborts a job's signal; the
 * sandboxed processor receives them as `signal.reason` and acts on them. Kept apart from
 * the processor's modules so that the main process does not load the numerics.
 */
export const STOP_FOR_SHUTDOWN = 'shutdown';
export const STOP_FOR_CANCELLATION = 'cancelled';
