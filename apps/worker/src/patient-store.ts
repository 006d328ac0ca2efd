/**
 * The store as a worker uses it: every call waits out a PostgreSQL outage instead of failing
 * the job. An attempt lost to an outage would be retried anyway, but from scratch and with
 * BullMQ's attempts used up long before a 30-second outage is over; waiting keeps the job,
 * its lock (renewed by the parent process meanwhile) and its progress.
 */
import type { Logger } from 'pino';
import { StoreError, type Store } from '@metaopt/store';

export interface PatienceOptions {
  /** Longest a single call waits for PostgreSQL before failing as it would have at once. */
  readonly maxWaitMs: number;
  readonly log: Logger;
}

const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 5000;

export function patientStore(store: Store, options: PatienceOptions): Store {
  return {
    ...store,
    runs: patient(store.runs, options),
    curves: patient(store.curves, options),
    checkpoints: patient(store.checkpoints, options),
    sweeps: patient(store.sweeps, options),
  };
}

type Method = (...args: never[]) => Promise<unknown>;

function patient<R extends Record<keyof R, Method>>(repository: R, options: PatienceOptions): R {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries<Method>(repository)) {
    const call = method as (...args: unknown[]) => Promise<unknown>;
    wrapped[name] = (...args: unknown[]) => waitingOut(() => call(...args), name, options);
  }
  return wrapped as R;
}

async function waitingOut<T>(
  work: () => Promise<T>,
  call: string,
  { maxWaitMs, log }: PatienceOptions,
): Promise<T> {
  const deadline = Date.now() + maxWaitMs;
  let delayMs = FIRST_RETRY_MS;
  let waited = false;
  for (;;) {
    try {
      const result = await work();
      if (waited) log.info({ call }, 'postgresql reachable again');
      return result;
    } catch (error) {
      const unavailable = error instanceof StoreError && error.code === 'STORE_UNAVAILABLE';
      if (!unavailable || Date.now() + delayMs > deadline) throw error;
      if (!waited) log.warn({ call, maxWaitMs }, 'postgresql unreachable; waiting');
      waited = true;
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      delayMs = Math.min(delayMs * 2, LONGEST_RETRY_MS);
    }
  }
}
