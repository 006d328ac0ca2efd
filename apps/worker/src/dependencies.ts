/**
 * An evaluation of a meta-trained optimizer needs that meta-training to have finished. Runs
 * are content-addressed, so one meta-training is often needed by many evaluations, submitted
 * by many sweeps at once; BullMQ flows give a job one parent only, and a second parent added
 * later would wait for a child it never gets. Every run is therefore queued as a plain job,
 * and an evaluation whose meta-training is still to come waits for it here, as a delayed job.
 */
import { NUMERICS_VERSION } from '@metaopt/l2l';
import { runIdOf, type RunSpec } from '@metaopt/spec';
import type { Store } from '@metaopt/store';

export type DependencyState =
  | { readonly kind: 'none' | 'ready' }
  /** Queued or running: ask again later. */
  | { readonly kind: 'pending'; readonly runId: string }
  /** Failed, cancelled, or never submitted: there is nothing to evaluate. */
  | { readonly kind: 'lost'; readonly runId: string; readonly status: string };

export async function dependencyOf(store: Store, spec: RunSpec): Promise<DependencyState> {
  if (spec.kind !== 'evaluate' || !('metaTrain' in spec.trained)) return { kind: 'none' };
  const runId = runIdOf(spec.trained.metaTrain, NUMERICS_VERSION);
  const status = (await store.runs.get(runId))?.status ?? 'missing';
  if (status === 'succeeded' || status === 'diverged') return { kind: 'ready' };
  if (status === 'queued' || status === 'running') return { kind: 'pending', runId };
  return { kind: 'lost', runId, status };
}
