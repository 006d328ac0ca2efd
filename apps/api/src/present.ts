/** How records look on the wire: dates as ISO strings, nothing internal. */
import { bestByContender, contenderOf, type RunSpec } from '@metaopt/spec';
import type { RunRecord } from '@metaopt/store';

export function presentRun(run: RunRecord) {
  return {
    id: run.id,
    kind: run.kind,
    task: run.taskKind,
    contender: contenderOf(run.spec as RunSpec),
    status: run.status,
    spec: run.spec,
    progress: run.progress ?? null,
    summary: run.summary ?? null,
    error: run.error ?? null,
    attempts: run.attempts,
    backend: run.backend ?? null,
    worker: run.worker ?? null,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
  };
}

const FINAL = new Set(['succeeded', 'diverged', 'failed', 'cancelled']);

export type SweepStatus = 'queued' | 'running' | 'succeeded' | 'failed';

/** A sweep's status, derived from its runs' so it can never disagree with them. */
export function sweepStatus(runs: readonly { readonly status: string }[]): SweepStatus {
  if (runs.every((run) => FINAL.has(run.status))) {
    return runs.some((run) => run.status === 'failed' || run.status === 'cancelled')
      ? 'failed'
      : 'succeeded';
  }
  return runs.some((run) => run.status === 'running') ? 'running' : 'queued';
}

/** The best finished run of each contender, as `{runId, meanSumLoss, lr}`. */
export function bestOfSweep(runs: readonly RunRecord[]) {
  const finished = runs
    .filter((run) => run.status === 'succeeded' || run.status === 'diverged')
    .map((run) => ({
      spec: run.spec as RunSpec,
      meanSumLoss: run.status === 'succeeded' ? run.summary?.meanSumLoss : null,
      item: run,
    }));
  return Object.fromEntries(
    [...bestByContender(finished)].map(([contender, { item, meanSumLoss, spec }]) => [
      contender,
      {
        runId: item.id,
        meanSumLoss:
          typeof meanSumLoss === 'number' && Number.isFinite(meanSumLoss) ? meanSumLoss : null,
        lr: spec.kind === 'baseline' ? spec.optimizer.lr : null,
      },
    ]),
  );
}
